package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What each driver does with {@code setTransactionIsolation} and {@code setReadOnly} around a transaction, on raw
 * connections (pgjdbc 42.7.4 / PostgreSQL 15, MariaDB Connector/J 3.5.6 / MariaDB 10.11, H2 2.3.232): the
 * reason txkit sets both before turning autocommit off and enforces read-only with SQL (see
 * {@code docs/databases.md}).
 */
class DriverBehaviourIT {

  private static final Measurement PG = new Measurement(TestDatabases.postgres(), "drv_pg_rows");
  private static final Measurement MY = new Measurement(TestDatabases.mariadb(), "drv_my_rows");
  private static final Measurement H2 = new Measurement(TestDatabases.h2(), "drv_h2_rows");

  @AfterAll
  static void drop() {
    PG.drop();
    MY.drop();
    H2.drop();
  }

  private static String text(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }

  // ------------------------------------------------------------------ isolation inside an open transaction

  @Test
  void pgjdbcRefusesToChangeTheIsolationInsideATransaction() throws SQLException {
    PG.rows();
    try (Connection c = PG.session()) {
      c.setAutoCommit(false);
      PG.update(c, 1, 1);
      SQLException e = assertThrows(SQLException.class,
          () -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE));
      assertEquals("25001", e.getSQLState(), e.getMessage());
      assertEquals(1, PG.value(c, 1), "the transaction goes on");
      c.rollback();
    }
    assertEquals(0, PG.committed(1));
  }

  @Test
  void mariadbAppliesAnIsolationChangedInsideATransactionToTheNextOneWithoutCommitting() throws SQLException {
    MY.rows();
    try (Connection c = MY.session()) {
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      c.setAutoCommit(false);
      MY.update(c, 1, 1);
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE); // no error
      c.rollback();
      assertEquals(0, MY.committed(1), "the open transaction was not committed");
      assertEquals("SERIALIZABLE", text(c, "SELECT @@SESSION.tx_isolation"), "the session's level changed");
      c.rollback();
    }
  }

  @Test
  void h2CommitsTheOpenTransactionWhenTheIsolationChanges() throws SQLException {
    H2.rows();
    try (Connection c = H2.session()) {
      c.setAutoCommit(false);
      H2.update(c, 1, 1);
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      c.rollback();
      assertEquals(1, H2.committed(1), "setTransactionIsolation committed the open transaction");
    }
  }

  // ------------------------------------------------------------------------------------------- read-only

  @Test
  void pgjdbcBeginsReadOnlyTransactionsAndRefusesTheChangeInsideOne() throws SQLException {
    PG.rows();
    try (Connection c = PG.session()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      SQLException write = assertThrows(SQLException.class, () -> PG.update(c, 1, 1));
      assertEquals("25006", write.getSQLState(), "the server refuses the write: " + write.getMessage());
      c.rollback();
      c.setAutoCommit(true);
      c.setReadOnly(false);

      c.setAutoCommit(false);
      PG.update(c, 1, 1);
      SQLException change = assertThrows(SQLException.class, () -> c.setReadOnly(true));
      assertEquals("25001", change.getSQLState(), change.getMessage());
      c.rollback();
    }
  }

  @Test
  void mariadbMakesTheSessionReadOnly() throws SQLException {
    // Connector/J 3.5.6 sent nothing for setReadOnly (a routing hint only); 3.5.11, measured here, sends SET SESSION
    // TRANSACTION READ ONLY. txkit does not rely on either: it begins read-only transactions with
    // START TRANSACTION READ ONLY
    MY.rows();
    try (Connection c = MY.session()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      SQLException write = assertThrows(SQLException.class, () -> MY.update(c, 1, 1));
      assertEquals(1792, write.getErrorCode(), "the server refuses the write: " + write.getMessage());
      c.rollback();
      c.setAutoCommit(true);
      c.setReadOnly(false);
      c.setAutoCommit(false);
      Statement st = c.createStatement();
      st.execute("START TRANSACTION READ ONLY"); // what txkit sends
      st.close();
      SQLException again = assertThrows(SQLException.class, () -> MY.update(c, 1, 1));
      assertEquals(1792, again.getErrorCode(), again.getMessage());
      c.rollback();
      assertEquals(1, MY.update(c, 1, 1), "the next transaction is read-write again");
      c.rollback();
    }
  }

  @Test
  void h2IgnoresReadOnly() throws SQLException {
    H2.rows();
    try (Connection c = H2.session()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      assertEquals(1, H2.update(c, 1, 1), "the write goes through");
      c.rollback();
    }
  }
}
