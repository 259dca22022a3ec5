package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.PitfallException;
import dev.txkit.PitfallMode;
import dev.txkit.TransactionWarning;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forgotten-transaction guard: two autocommit updates by one thread are reported with both statements and
 * where the first was made; one update alone, queries, a txkit transaction and a hand-written one are not. In fail
 * mode the second update is refused before it runs.
 */
class ForgottenTransactionGuardIT {

  static List<TestDatabases.TestDb> all() {
    return TestDatabases.all();
  }

  private static void setUp(TestDatabases.TestDb db) {
    db.createTable("obs_guard", "id INT PRIMARY KEY, n INT NOT NULL");
    db.exec("INSERT INTO obs_guard VALUES (1, 0)", "INSERT INTO obs_guard VALUES (2, 0)");
  }

  private static void debitAndCreditWithoutATransaction(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE obs_guard SET n = n - ? WHERE id = 1")) {
        ps.setInt(1, 5);
        ps.executeUpdate();
      }
      try (Statement st = c.createStatement()) {
        st.executeUpdate("UPDATE obs_guard SET n = n + 5 WHERE id = 2");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("all")
  void twoAutocommitUpdatesAreReported(TestDatabases.TestDb db) throws Exception {
    setUp(db);
    List<TransactionWarning> seen = new CopyOnWriteArrayList<>();
    DataSource guarded = ForgottenTransactionGuard.builder(db.dataSource()).listener(seen::add).build();
    try (CapturedLogs.Capture logs = CapturedLogs.capture(false)) {
      debitAndCreditWithoutATransaction(guarded);
      assertEquals(1, seen.size(), seen.toString());
      TransactionWarning w = seen.get(0);
      assertEquals(TransactionWarning.Kind.FORGOTTEN_TRANSACTION, w.kind());
      assertTrue(w.message().contains("2 data-changing statements in autocommit mode"), w.message());
      assertTrue(w.message().contains("[UPDATE obs_guard SET n = n - ? WHERE id = 1]; "
          + "[UPDATE obs_guard SET n = n + 5 WHERE id = 2]"), w.message());
      assertEquals(ForgottenTransactionGuardIT.class.getName(), w.begunAt().getClassName());
      assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("WARN Thread '")), logs.lines().toString());
    }
    assertEquals(List.of(-5L, 5L), db.queryLongs("SELECT n FROM obs_guard ORDER BY id"), "warn changes nothing");
  }

  @ParameterizedTest
  @MethodSource("all")
  void oneTransactionOneUpdateAndQueriesAreNot(TestDatabases.TestDb db) throws Exception {
    setUp(db);
    List<TransactionWarning> seen = new CopyOnWriteArrayList<>();
    DataSource guarded = ForgottenTransactionGuard.builder(db.dataSource()).listener(seen::add).build();
    Transactions txs = Transactions.create(guarded);
    txs.useTransaction(tx -> {
      tx.update("UPDATE obs_guard SET n = n - 5 WHERE id = 1");
      tx.update("UPDATE obs_guard SET n = n + 5 WHERE id = 2");
    });
    try (Connection c = guarded.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("UPDATE obs_guard SET n = n - 5 WHERE id = 1");
        st.executeUpdate("UPDATE obs_guard SET n = n + 5 WHERE id = 2");
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("UPDATE obs_guard SET n = n + 0 WHERE id = 1");
        st.executeQuery("SELECT n FROM obs_guard WHERE id = 1").close();
        st.executeQuery("SELECT n FROM obs_guard WHERE id = 2").close();
      }
    }
    assertEquals(List.of(), seen);
    assertEquals(List.of(-10L, 10L), db.queryLongs("SELECT n FROM obs_guard ORDER BY id"));
  }

  @ParameterizedTest
  @MethodSource("all")
  void inFailModeTheSecondUpdateIsRefused(TestDatabases.TestDb db) {
    setUp(db);
    DataSource strict = ForgottenTransactionGuard.builder(db.dataSource()).mode(PitfallMode.FAIL).build();
    PitfallException e = assertThrows(PitfallException.class, () -> debitAndCreditWithoutATransaction(strict));
    assertEquals(TransactionWarning.Kind.FORGOTTEN_TRANSACTION, e.warning().kind());
    assertEquals(List.of(-5L, 0L), db.queryLongs("SELECT n FROM obs_guard ORDER BY id"),
        "the first update had committed on its own: the half-done work the guard is about");
  }
}
