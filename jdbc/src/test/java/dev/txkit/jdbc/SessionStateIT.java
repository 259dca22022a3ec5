package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Executor;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/**
 * Session state that raw JDBC on {@code tx.connection()} changes beyond autocommit, isolation and read-only
 * (schema, catalog, holdability, network timeout, client info) is put back before the connection is returned,
 * so the next transaction on the same connection does not write into another schema or database. Tested on
 * connections nobody resets: H2's {@code JdbcConnectionPool} (one connection) and one physical connection handed
 * out again and again.
 */
class SessionStateIT {

  private static final Executor DIRECT = Runnable::run;

  private static int otherHoldability(int h) {
    return h == ResultSet.HOLD_CURSORS_OVER_COMMIT ? ResultSet.CLOSE_CURSORS_AT_COMMIT
        : ResultSet.HOLD_CURSORS_OVER_COMMIT;
  }

  @Test
  void h2PoolDoesNotHandTheNextTransactionAnotherSchema() throws SQLException {
    TestDb db = TestDatabases.h2();
    db.exec("CREATE SCHEMA T8_OTHER", "CREATE TABLE PUBLIC.T8_STATE (ID BIGINT PRIMARY KEY)",
        "CREATE TABLE T8_OTHER.T8_STATE (ID BIGINT PRIMARY KEY)");
    JdbcConnectionPool pool = JdbcConnectionPool.create(db.url(), "", "");
    pool.setMaxConnections(1);
    try {
      Transactions txs = Transactions.create(pool);
      int holdability;
      try (Connection c = pool.getConnection()) {
        holdability = c.getHoldability();
      }
      txs.useTransaction(tx -> {
        Connection c = tx.connection();
        c.setSchema("T8_OTHER");
        c.setHoldability(otherHoldability(c.getHoldability()));
        tx.update("INSERT INTO T8_STATE VALUES (1)");
      });
      assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM T8_OTHER.T8_STATE"), "the setter took effect");
      // the next transaction, on the same (only) connection of the pool
      txs.useTransaction(tx -> tx.update("INSERT INTO T8_STATE VALUES (2)"));
      assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM PUBLIC.T8_STATE WHERE ID = 2"),
          "the next transaction wrote into its own schema");
      assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM T8_OTHER.T8_STATE"));
      // a transaction that fails after changing the schema restores it too
      assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
        tx.connection().setSchema("T8_OTHER");
        throw new IllegalStateException("boom");
      }));
      try (Connection c = pool.getConnection()) {
        assertEquals("PUBLIC", c.getSchema());
        assertEquals(holdability, c.getHoldability());
      }
    } finally {
      pool.dispose();
    }
  }

  @Test
  void postgresSearchPathHoldabilityNetworkTimeoutAndClientInfoAreRestored() throws SQLException {
    TestDb db = TestDatabases.postgres();
    db.exec("DROP SCHEMA IF EXISTS t8_other CASCADE", "CREATE SCHEMA t8_other",
        "DROP TABLE IF EXISTS public.t8_state", "CREATE TABLE public.t8_state (id BIGINT PRIMARY KEY)",
        "CREATE TABLE t8_other.t8_state (id BIGINT PRIMARY KEY)");
    try (SingleConnectionDataSource ds = new SingleConnectionDataSource(db.connect())) {
      Connection physical = ds.physical();
      String searchPath = ServerState.string(physical, "SHOW search_path");
      String appName = ServerState.string(physical, "SHOW application_name");
      int holdability = physical.getHoldability();
      int networkTimeout = physical.getNetworkTimeout();
      Transactions txs = Transactions.create(ds);
      txs.useTransaction(tx -> {
        Connection c = tx.connection();
        c.setSchema("t8_other");
        c.setHoldability(otherHoldability(c.getHoldability()));
        c.setNetworkTimeout(DIRECT, 54_321);
        c.setClientInfo("ApplicationName", "t8-changed");
        tx.update("INSERT INTO t8_state VALUES (1)");
      });
      assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM t8_other.t8_state"), "the setter took effect");
      assertEquals(searchPath, ServerState.string(physical, "SHOW search_path"), "search_path, not only schema");
      assertEquals(appName, ServerState.string(physical, "SHOW application_name"));
      assertEquals(holdability, physical.getHoldability());
      assertEquals(networkTimeout, physical.getNetworkTimeout());
      txs.useTransaction(tx -> tx.update("INSERT INTO t8_state VALUES (2)"));
      assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM public.t8_state WHERE id = 2"));

      Properties all = new Properties();
      all.setProperty("ApplicationName", "t8-all");
      assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
        tx.connection().setSchema("t8_other");
        tx.connection().setClientInfo(all);
        throw new IllegalStateException("boom");
      }));
      assertEquals(searchPath, ServerState.string(physical, "SHOW search_path"));
      assertEquals(appName, ServerState.string(physical, "SHOW application_name"));

      // cheap: a transaction that calls no setter reads none of this state
      ds.resetCounts();
      txs.useTransaction(tx -> tx.update("INSERT INTO t8_state VALUES (3)"));
      assertEquals(0, ds.calls("getSchema") + ds.calls("getCatalog") + ds.calls("getHoldability")
          + ds.calls("getNetworkTimeout") + ds.calls("getClientInfo") + ds.calls("setSchema")
          + ds.calls("setCatalog") + ds.calls("setHoldability") + ds.calls("setNetworkTimeout")
          + ds.calls("setClientInfo") + ds.calls("createStatement"), "session state calls without a setter");
    } finally {
      db.exec("DROP SCHEMA t8_other CASCADE", "DROP TABLE public.t8_state");
    }
  }

  @Test
  void mariadbCatalogHoldabilityNetworkTimeoutAndClientInfoAreRestored() throws SQLException {
    TestDb db = TestDatabases.mariadb();
    db.createTable("t8_state", "id BIGINT PRIMARY KEY");
    try (SingleConnectionDataSource ds = new SingleConnectionDataSource(db.connect())) {
      Connection physical = ds.physical();
      String database = ServerState.string(physical, "SELECT DATABASE()");
      int holdability = physical.getHoldability();
      int networkTimeout = physical.getNetworkTimeout();
      Properties clientInfo = physical.getClientInfo();
      Transactions txs = Transactions.create(ds);
      txs.useTransaction(tx -> {
        Connection c = tx.connection();
        tx.update("INSERT INTO t8_state VALUES (1)");
        c.setCatalog("information_schema");
        c.setHoldability(otherHoldability(c.getHoldability()));
        c.setNetworkTimeout(DIRECT, 54_321);
        c.setClientInfo("ApplicationName", "t8-changed");
        assertEquals("information_schema", tx.queryOne("SELECT DATABASE()", String.class), "the setter worked");
      });
      assertEquals(database, ServerState.string(physical, "SELECT DATABASE()"));
      assertEquals(holdability, physical.getHoldability());
      assertEquals(networkTimeout, physical.getNetworkTimeout());
      assertEquals(clientInfo, physical.getClientInfo());
      // the next transaction's unqualified table is in the database it was configured with
      txs.useTransaction(tx -> tx.update("INSERT INTO t8_state VALUES (2)"));
      assertEquals(2L, db.queryLong("SELECT COUNT(*) FROM t8_state"));
    }
  }
}
