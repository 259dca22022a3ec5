package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.DatabaseFailureException;
import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After every transaction, whatever happened, the connection's autocommit, isolation and read-only are what they
 * were before. Checked on one physical connection that nobody resets (so a pool cannot mask a bug), asking the
 * server where it can tell, and through a HikariCP pool of one connection.
 */
class ConnectionStateIT {

  private static final TxOptions SERIALIZABLE_READ_ONLY =
      TxOptions.builder().isolation(Isolation.SERIALIZABLE).readOnly(true).name("report").build();

  /** An isolation other than the database's default, so that "restored" cannot mean "reset to the default". */
  private static Isolation original(TestDb db) {
    return db.database() == Database.MARIADB ? Isolation.READ_COMMITTED : Isolation.REPEATABLE_READ;
  }

  private static void assertPristine(TestDb db, Connection c, Isolation isolation, String after)
      throws SQLException {
    assertTrue(ServerState.autoCommit(db.database(), c), "autocommit on after " + after);
    assertTrue(c.getAutoCommit(), "driver reports autocommit on after " + after);
    assertEquals(isolation, ServerState.isolation(db.database(), c), "isolation after " + after);
    assertEquals(isolation.jdbcLevel(), c.getTransactionIsolation(), "driver's isolation after " + after);
    assertFalse(ServerState.readOnly(db.database(), c), "read-write after " + after);
    assertFalse(c.isReadOnly(), "driver reports read-write after " + after);
  }

  /** The work of every scenario: a failed and a successful serializable read-only transaction, and more. */
  private static void scenarios(TestDb db, DataSource ds, Inspector inspect) throws SQLException {
    Transactions txs = Transactions.create(ds);
    Isolation original = original(db);
    inspect.check("nothing");

    IllegalStateException boom = new IllegalStateException("boom");
    assertEquals(boom, assertThrows(IllegalStateException.class, () -> txs.inTransaction(SERIALIZABLE_READ_ONLY,
        tx -> {
          assertEquals(Isolation.SERIALIZABLE, ServerState.parse(tx.queryOne(
              ServerState.isolationQuery(db.database()), String.class)));
          throw boom;
        })));
    inspect.check("a failed serializable read-only transaction");

    assertThrows(IllegalStateException.class, () -> txs.useTransaction(SERIALIZABLE_READ_ONLY, tx -> {
      throw boom;
    }));
    inspect.check("a serializable read-only transaction that failed before its first statement");

    assertThrows(DatabaseFailureException.class, () -> txs.useTransaction(SERIALIZABLE_READ_ONLY,
        tx -> tx.update("UPDATE t2_no_such_table SET x = 1")));
    inspect.check("a serializable read-only transaction whose statement failed");

    long count = txs.inTransaction(SERIALIZABLE_READ_ONLY, tx -> tx.queryOne("SELECT COUNT(*) FROM t2_state",
        Long.class));
    assertEquals(1L, count);
    inspect.check("a successful serializable read-only transaction");

    txs.useTransaction(SERIALIZABLE_READ_ONLY, tx -> { });
    inspect.check("a successful serializable read-only transaction without statements");

    // the next ordinary transaction runs in the original isolation, can write, and its write is committed
    assertEquals(original, txs.inTransaction(tx -> {
      tx.update("INSERT INTO t2_state VALUES (2)");
      return ServerState.parse(tx.queryOne(ServerState.isolationQuery(db.database()), String.class));
    }));
    inspect.check("a default read-write transaction");
    assertEquals(List.of(1L, 2L), db.queryLongs("SELECT id FROM t2_state ORDER BY id"));
  }

  @FunctionalInterface
  private interface Inspector {
    void check(String after) throws SQLException;
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void singleUnresetConnectionIsRestored(TestDb db) throws SQLException {
    db.createTable("t2_state", "id BIGINT PRIMARY KEY");
    db.exec("INSERT INTO t2_state VALUES (1)");
    try (SingleConnectionDataSource ds = new SingleConnectionDataSource(db.connect())) {
      Connection c = ds.physical();
      c.setTransactionIsolation(original(db).jdbcLevel());
      scenarios(db, ds, after -> {
        assertEquals(0, ds.outstanding(), "connection returned after " + after);
        assertPristine(db, c, original(db), after);
      });
      // a default transaction on a connection txkit already knows makes no settings calls at all
      Transactions txs = Transactions.create(ds);
      txs.useTransaction(tx -> tx.update("INSERT INTO t2_state VALUES (3)"));
      ds.resetCounts();
      txs.useTransaction(tx -> tx.update("INSERT INTO t2_state VALUES (4)"));
      assertEquals(0, ds.calls("setTransactionIsolation") + ds.calls("getTransactionIsolation")
          + ds.calls("setReadOnly"), "isolation and read-only calls in a default transaction");
      assertEquals(List.of(1L, 2L, 3L, 4L), db.queryLongs("SELECT id FROM t2_state ORDER BY id"));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void pooledConnectionOfAPoolOfOneIsRestored(TestDb db) throws SQLException {
    db.createTable("t2_state", "id BIGINT PRIMARY KEY");
    db.exec("INSERT INTO t2_state VALUES (1)");
    db.requireReachable();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.url());
    config.setMaximumPoolSize(1);
    config.setTransactionIsolation("TRANSACTION_" + original(db).name());
    config.setPoolName("t2-state-" + db.database());
    try (HikariDataSource pool = new HikariDataSource(config)) {
      scenarios(db, pool, after -> {
        // a pool of one: this is the connection the transaction used, so it was released as well
        try (Connection c = pool.getConnection()) {
          assertPristine(db, c, original(db), after);
        }
      });
    }
  }
}
