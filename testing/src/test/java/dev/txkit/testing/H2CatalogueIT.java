package dev.txkit.testing;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureScope.STATEMENT;
import static dev.txkit.FailureScope.TRANSACTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Produces H2's failures for real (H2 2.3.232, embedded and in server mode), with concurrent sessions, and
 * checks each against its entry in the kit's catalogue ({@link Failures#h2()}): the exception H2 really throws,
 * what it really does next (only the statement undone; the whole transaction rolled back with the connection
 * usable; or, in server mode, the connection gone), and that txkit classifies it as the catalogue says. Each
 * observation is printed as a line starting with {@code OBSERVED}.
 */
class H2CatalogueIT {

  private static final Measurement M = new Measurement(TestDatabases.h2(), "cat_h2_rows");
  private static final Failures H2 = Failures.h2();

  @BeforeEach
  void rows() {
    M.rows();
  }

  @AfterEach
  void ran(TestInfo test) {
    M.ran(test.getTestMethod().orElseThrow().getName());
  }

  @AfterAll
  static void everyMeasuredEntryWasProduced() {
    try {
      M.assertEveryMeasuredEntryWasProduced(H2CatalogueIT.class);
    } finally {
      M.drop();
    }
  }

  @Test
  void h2Deadlock() throws Exception {
    // observed: JdbcSQLTransactionRollbackException 40001/40001 "Deadlock detected. The current transaction was
    // rolled back. Details: ..."; the connection stays usable
    SQLException e = M.deadlock(H2.deadlock(), "SET LOCK_TIMEOUT 20000");
    M.observed("deadlock", H2.deadlock(), e, DEADLOCK, TRANSACTION);
  }

  @Test
  void h2WriteConflictUnderRepeatableReadIsReportedAsADeadlock() throws SQLException {
    try (Connection t1 = M.session(); Connection t2 = M.session()) {
      t2.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      t2.setAutoCommit(false);
      M.update(t2, 2, 2);
      assertEquals(0, M.value(t2, 1));
      M.update(t1, 1, 1); // autocommit
      // observed: JdbcSQLTransactionRollbackException 40001/40001 "Deadlock detected. The current transaction
      // was rolled back.", exactly the deadlock's exception (only its cause, an MVStoreException, differs)
      SQLException e = assertThrows(SQLException.class, () -> M.update(t2, 1, 2));
      assertTrue(e instanceof SQLTransactionRollbackException, e.toString());
      M.observed("write conflict (REPEATABLE READ)", H2.serializationFailure(), e, DEADLOCK, TRANSACTION);
      assertEquals(0, M.value(t2, 2), "the earlier update of the transaction is gone");
      M.assertServerEffect(H2.serializationFailure(), e, t2, 2, 2);
    }
  }

  @Test
  void h2WriteConflictUnderSerializableIsReportedAsADeadlockToo() throws SQLException {
    try (Connection t1 = M.session(); Connection t2 = M.session()) {
      t2.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      t2.setAutoCommit(false);
      M.update(t2, 2, 2);
      M.update(t1, 1, 1); // autocommit, after t2's snapshot
      SQLException e = assertThrows(SQLException.class, () -> M.update(t2, 1, 2));
      M.observed("write conflict (SERIALIZABLE)", H2.serializationFailure(), e, DEADLOCK, TRANSACTION);
      M.assertServerEffect(H2.serializationFailure(), e, t2, 2, 2);
    }
  }

  @Test
  void h2LockTimeoutUndoesOnlyTheStatement() throws SQLException {
    try (Connection holder = M.session(); Connection waiter = M.session("SET LOCK_TIMEOUT 100")) {
      holder.setAutoCommit(false);
      M.update(holder, 1, 1);
      waiter.setAutoCommit(false);
      M.update(waiter, 2, 2);
      // observed: JdbcSQLTimeoutException HYT00/50200 "Timeout trying to lock table "CAT_H2_ROWS"" (a
      // SQLTimeoutException, yet a lock timeout rather than a query timeout)
      SQLException e = assertThrows(SQLException.class, () -> M.update(waiter, 1, 2));
      M.observed("LOCK_TIMEOUT", H2.lockTimeout(), e, LOCK_TIMEOUT, STATEMENT);
      assertEquals(2, M.value(waiter, 2), "the waiter's transaction is still open with its earlier update");

      // FOR UPDATE NOWAIT: the same error, at once
      M.update(waiter, 3, 3);
      SQLException nowait = assertThrows(SQLException.class,
          () -> Measurement.exec(waiter, "SELECT v FROM " + M.table + " WHERE id = 1 FOR UPDATE NOWAIT"));
      M.observed("FOR UPDATE NOWAIT", H2.lockTimeout(), nowait, LOCK_TIMEOUT, STATEMENT);
      M.assertServerEffect(H2.lockTimeout(), nowait, waiter, 3, 3);
      assertEquals(2, M.committed(2), "the work before both failures was committed");
      holder.rollback();
    }
  }

  @Test
  void h2QueryTimeout() throws SQLException {
    try (Connection c = M.session("SET QUERY_TIMEOUT 100")) {
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      // observed: JdbcSQLTimeoutException 57014/57014 "Statement was canceled or the session timed out"
      SQLException e = assertThrows(SQLException.class, () -> Measurement.exec(c,
          "SELECT SUM(a.X * b.X) FROM SYSTEM_RANGE(1, 100000) a, SYSTEM_RANGE(1, 100000) b"));
      M.observed("QUERY_TIMEOUT", H2.queryTimeout(), e, QUERY_TIMEOUT, STATEMENT);
      M.assertServerEffect(H2.queryTimeout(), e, c, 2, 2);
    }
  }

  @Test
  void h2DuplicateKey() throws SQLException {
    try (Connection c = M.session()) {
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      // observed: JdbcSQLIntegrityConstraintViolationException 23505/23505 "Unique index or primary key
      // violation: "PUBLIC.PRIMARY_KEY_..."
      SQLException e = assertThrows(SQLException.class,
          () -> Measurement.exec(c, "INSERT INTO " + M.table + " (id, v) VALUES (1, 0)"));
      M.observed("duplicate key", H2.uniqueViolation(), e, CONSTRAINT_VIOLATION, STATEMENT);
      assertEquals(2, M.value(c, 2), "only the INSERT was undone");
      M.assertServerEffect(H2.uniqueViolation(), e, c, 2, 2);
    }
  }

  @Test
  void h2ServerModeSocketBroken() throws Exception {
    // the same in-memory database, served over TCP by a server in this JVM, reached through a proxy
    String name = M.db.url().substring("jdbc:h2:mem:".length(), M.db.url().indexOf(';'));
    Server server = Server.createTcpServer("-tcpPort", "0").start();
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", server.getPort());
        Connection c = DriverManager.getConnection("jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/mem:" + name)) {
      c.setAutoCommit(false);
      M.update(c, 1, 1);
      proxy.cut();
      // observed: JdbcSQLNonTransientConnectionException 90067/90067 "Connection is broken: "session closed"",
      // then 90121 "Database is already closed ..." on every later call
      SQLException e = assertThrows(SQLException.class, () -> M.update(c, 2, 2));
      M.observed("socket reset (server mode)", H2.connectionLost(), e, CONNECTION_LOST, TRANSACTION);
      M.assertServerEffect(H2.connectionLost(), e, c, 1, 1);
    } finally {
      server.stop();
    }
  }
}
