package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The programmatic form, on one connection that nobody resets. */
class ManualTransactionIT {

  private static final TxOptions OPTIONS = TxOptions.builder().isolation(Isolation.SERIALIZABLE).name("manual")
      .build();

  private static SingleConnectionDataSource setUp(TestDb db) throws SQLException {
    db.createTable("t2_manual", "id BIGINT PRIMARY KEY");
    return new SingleConnectionDataSource(db.connect());
  }

  private static List<Long> rows(TestDb db) {
    return db.queryLongs("SELECT id FROM t2_manual ORDER BY id");
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void commitCommitsAndRunsHooksAfterwards(TestDb db) throws SQLException {
    try (SingleConnectionDataSource ds = setUp(db)) {
      Transactions txs = Transactions.create(ds);
      List<String> hooks = new ArrayList<>();
      Isolation before = ServerState.isolation(db.database(), ds.physical());
      try (ManualTransaction tx = txs.begin(OPTIONS)) {
        tx.update("INSERT INTO t2_manual VALUES (?)", 1);
        assertEquals(Isolation.SERIALIZABLE,
            ServerState.parse(tx.queryOne(ServerState.isolationQuery(db.database()), String.class)));
        txs.useTransaction(inner -> inner.update("INSERT INTO t2_manual VALUES (?)", 2));
        tx.afterCommit(() -> hooks.add("committed, rows " + rows(db)));
        assertEquals(List.of(), rows(db), "nothing is visible before commit");
        tx.commit();
      }
      assertEquals(List.of(1L, 2L), rows(db));
      assertEquals(List.of("committed, rows [1, 2]"), hooks);
      assertEquals(0, ds.outstanding());
      assertTrue(ds.physical().getAutoCommit());
      assertEquals(before, ServerState.isolation(db.database(), ds.physical()), "isolation restored");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void closeWithoutCommitRollsBack(TestDb db) throws SQLException {
    try (SingleConnectionDataSource ds = setUp(db)) {
      Transactions txs = Transactions.create(ds);
      List<String> hooks = new ArrayList<>();
      try (ManualTransaction tx = txs.begin(OPTIONS)) {
        tx.update("INSERT INTO t2_manual VALUES (?)", 1);
        tx.afterRollback(() -> hooks.add("rolled back"));
        tx.afterCommit(() -> hooks.add("committed"));
      }
      assertEquals(List.of(), rows(db));
      assertEquals(List.of("rolled back"), hooks);
      assertEquals(0, ds.outstanding());
      // the connection is usable and the next transaction commits
      txs.useTransaction(tx -> tx.update("INSERT INTO t2_manual VALUES (?)", 2));
      assertEquals(List.of(2L), rows(db));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void commitTwiceAndUseAfterCloseThrowIllegalState(TestDb db) throws SQLException {
    try (SingleConnectionDataSource ds = setUp(db)) {
      Transactions txs = Transactions.create(ds);
      ManualTransaction leaked;
      try (ManualTransaction tx = txs.begin(OPTIONS)) {
        leaked = tx;
        tx.update("INSERT INTO t2_manual VALUES (?)", 1);
        tx.commit();
        IllegalStateException e = assertThrows(IllegalStateException.class, tx::commit);
        assertTrue(e.getMessage().contains("'manual'"), e.getMessage());
      }
      assertThrows(IllegalStateException.class, () -> leaked.update("INSERT INTO t2_manual VALUES (?)", 2));
      assertThrows(IllegalStateException.class, leaked::commit);
      assertThrows(IllegalStateException.class, leaked::connection);
      leaked.close(); // idempotent
      assertEquals(List.of(1L), rows(db));

      try (ManualTransaction tx = txs.begin(OPTIONS)) {
        tx.update("INSERT INTO t2_manual VALUES (?)", 3);
        tx.rollback();
        assertThrows(IllegalStateException.class, tx::commit, "commit after rollback");
      }
      ManualTransaction closed = txs.begin(OPTIONS);
      closed.close();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> closed.update("INSERT INTO t2_manual VALUES (?)", 4));
      assertTrue(e.getMessage().contains("after its transaction ended"), e.getMessage());
      assertEquals(List.of(1L), rows(db));
      assertEquals(0, ds.outstanding());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void beginInsideAnActiveTransactionIsRefused(TestDb db) throws SQLException {
    try (SingleConnectionDataSource ds = setUp(db)) {
      Transactions txs = Transactions.create(ds);
      txs.useTransaction(tx -> {
        tx.update("INSERT INTO t2_manual VALUES (?)", 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> txs.begin(OPTIONS));
        assertTrue(e.getMessage().contains("inTransaction"), e.getMessage());
      });
      assertEquals(List.of(1L), rows(db));
    }
  }
}
