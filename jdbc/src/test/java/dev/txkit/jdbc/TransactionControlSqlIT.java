package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Transaction-control SQL ({@code COMMIT}, {@code ROLLBACK}, {@code BEGIN}, {@code SET autocommit}, ...) sent
 * through the wrappers or through raw statements of the managed connection would end or replace txkit's
 * transaction behind its back. It is refused before it reaches the database, with a message that says what to do;
 * ordinary SQL that merely looks similar runs.
 */
class TransactionControlSqlIT {

  /** Statements that end, restart or reconfigure the transaction, in the spellings a user might write. */
  private static List<String> refused(Database db) {
    List<String> sql = new ArrayList<>(List.of(
        "COMMIT",
        "commit",
        "  Commit Work",
        "COMMIT;",
        "/* finish early */ COMMIT",
        "-- done\nCOMMIT",
        "ROLLBACK",
        "rollback work",
        "BEGIN",
        "START TRANSACTION",
        "start transaction read only",
        "SET autocommit = 1",
        "SET AUTOCOMMIT=1",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "RELEASE SAVEPOINT sp1"));
    if (db == Database.POSTGRESQL) {
      sql.addAll(List.of("END", "ABORT", "BEGIN ISOLATION LEVEL SERIALIZABLE",
          "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"));
    }
    if (db == Database.MARIADB) {
      sql.addAll(List.of("SET @@autocommit = 1", "SET SESSION autocommit = 1", "# comment\nCOMMIT",
          "SET SESSION TRANSACTION READ ONLY"));
    }
    return sql;
  }

  @FunctionalInterface
  private interface Route {
    void run(Tx tx, String sql) throws SQLException;
  }

  private static Map<String, Route> routes() {
    Map<String, Route> r = new LinkedHashMap<>();
    r.put("tx.update", (tx, sql) -> tx.update(sql));
    r.put("tx.query", (tx, sql) -> tx.query(sql, rs -> rs.getObject(1)));
    r.put("tx.batch", (tx, sql) -> tx.batch(sql, List.<Object[]>of(new Object[0])));
    r.put("Statement.execute", (tx, sql) -> {
      try (Statement st = tx.connection().createStatement()) {
        st.execute(sql);
      }
    });
    r.put("Statement.executeUpdate", (tx, sql) -> {
      try (Statement st = tx.connection().createStatement()) {
        st.executeUpdate(sql);
      }
    });
    r.put("Statement.addBatch", (tx, sql) -> {
      try (Statement st = tx.connection().createStatement()) {
        st.addBatch(sql);
        st.executeBatch();
      }
    });
    r.put("prepareStatement", (tx, sql) -> {
      try (PreparedStatement ps = tx.connection().prepareStatement(sql)) {
        ps.execute();
      }
    });
    return r;
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void transactionControlSqlIsRefusedAndCommitsNothing(TestDb db) {
    db.createTable("t8_txsql", "id BIGINT PRIMARY KEY");
    Transactions txs = Transactions.create(db.dataSource());
    List<String> statements = refused(db.database());
    for (Map.Entry<String, Route> route : routes().entrySet()) {
      for (int i = 0; i < statements.size(); i++) {
        String sql = statements.get(i);
        String what = route.getKey() + "(\"" + sql + "\")";
        long row = i + 1;
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
          // the row's id tells which statement leaked, should one commit it
          tx.update("INSERT INTO t8_txsql VALUES (?)", row);
          IllegalStateException e = assertThrows(IllegalStateException.class, () -> route.getValue().run(tx, sql),
              what);
          assertTrue(e.getMessage().contains("transaction-control") && e.getMessage().contains("txkit"),
              what + ": " + e.getMessage());
          // the transaction is still txkit's: more work goes on in it
          tx.update("INSERT INTO t8_txsql VALUES (?)", -row);
          throw boom;
        }), what);
        assertSame(boom, thrown, what);
      }
      assertEquals(List.of(), db.queryLongs("SELECT id FROM t8_txsql"), "nothing committed through "
          + route.getKey() + " (ids: 1 + index of the statement in " + statements + ")");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void sqlThatOnlyLooksLikeTransactionControlRuns(TestDb db) throws SQLException {
    db.createTable("t8_commits", "id BIGINT PRIMARY KEY, note VARCHAR(40)");
    Transactions txs = Transactions.create(db.dataSource());
    txs.useTransaction(tx -> {
      tx.update("INSERT INTO t8_commits VALUES (1, 'COMMIT')");
      tx.update("UPDATE t8_commits SET note = 'ROLLBACK' WHERE id = 1");
      tx.update("/* COMMIT */ INSERT INTO t8_commits VALUES (2, 'begin')");
      tx.update("-- ROLLBACK\nINSERT INTO t8_commits VALUES (3, 'x')");
      assertEquals("COMMIT", tx.queryOne("SELECT 'COMMIT'", String.class));
      // the user's own savepoints inside the transaction are fine, and rolling back to one is not a ROLLBACK
      tx.update("SAVEPOINT mine");
      tx.update("INSERT INTO t8_commits VALUES (4, 'undone')");
      tx.update("ROLLBACK TO SAVEPOINT mine");
      try (Statement st = tx.connection().createStatement()) {
        st.execute("SAVEPOINT mine2");
        st.executeUpdate("INSERT INTO t8_commits VALUES (5, 'undone too')");
        st.execute(db.database() == Database.H2 ? "ROLLBACK TO SAVEPOINT mine2" : "rollback to mine2");
      }
    });
    assertEquals(List.of(1L, 2L, 3L), db.queryLongs("SELECT id FROM t8_commits ORDER BY id"));
    assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM t8_commits WHERE note = 'ROLLBACK'"));
  }
}
