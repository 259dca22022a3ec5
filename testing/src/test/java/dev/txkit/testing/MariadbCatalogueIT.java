package dev.txkit.testing;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.FailureScope.STATEMENT;
import static dev.txkit.FailureScope.TRANSACTION;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.jdbc.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Produces MariaDB's failures for real (MariaDB Connector/J 3.5.6, MariaDB 10.11), with concurrent raw JDBC
 * sessions, and checks each against its entry in the kit's catalogue ({@link Failures#mariadb()}): the
 * exception the driver really throws, what the server really does next (only the statement undone, the whole
 * transaction rolled back with the connection usable, or the connection gone), and that txkit classifies it as
 * the catalogue says. Each observation is printed as a line starting with {@code OBSERVED}.
 */
class MariadbCatalogueIT {

  private static final Measurement M = new Measurement(TestDatabases.mariadb(), "cat_my_rows");
  private static final Failures MY = Failures.mariadb();

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
      M.assertEveryMeasuredEntryWasProduced(MariadbCatalogueIT.class);
    } finally {
      M.drop();
    }
  }

  private static Failure named(String name) {
    return MY.all().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  private static long connectionId(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT CONNECTION_ID()"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Waits, by asking the server (no sleeping), until the session's transaction waits for a row lock. Reads the
   * live transaction list of {@code SHOW ENGINE INNODB STATUS}: {@code information_schema.innodb_trx} is a cache
   * that InnoDB does not refresh while it is read more often than every 0.1 s, so polling it never sees the wait.
   */
  private static void awaitLockWait(Connection admin, long id) throws SQLException {
    long deadline = System.nanoTime() + SECONDS.toNanos(Measurement.WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      try (PreparedStatement ps = admin.prepareStatement("SHOW ENGINE INNODB STATUS");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        for (String trx : rs.getString("Status").split("---TRANSACTION ")) {
          if (trx.contains("LOCK WAIT") && trx.contains(" thread id " + id + ",")) {
            return;
          }
        }
      }
    }
    throw new AssertionError("session " + id + " never waited for the lock");
  }

  // ------------------------------------------------------------------------- deadlock and serialization

  @Test
  void mariadbDeadlock() throws Exception {
    // observed: SQLTransactionRollbackException 40001/1213 "(conn=N) Deadlock found when trying to get lock;
    // try restarting transaction"; InnoDB detects it at once and rolls the victim's transaction back
    SQLException e = M.deadlock(MY.deadlock(), "SET SESSION innodb_lock_wait_timeout = 20");
    M.observed("deadlock", MY.deadlock(), e, DEADLOCK, TRANSACTION);
  }

  @Test
  void mariadbSnapshotIsolationConflict() throws SQLException {
    try (Connection t1 = M.session(); Connection t2 = M.session("SET SESSION innodb_snapshot_isolation = ON")) {
      t2.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      t2.setAutoCommit(false);
      M.update(t2, 2, 2);
      assertEquals(0, M.value(t2, 1)); // reads row 1 into the snapshot
      M.update(t1, 1, 1); // autocommit
      // observed: plain SQLException HY000/1020 "(conn=N) Record has changed since last read in table
      // 'cat_my_rows'"; the whole transaction was rolled back
      SQLException e = assertThrows(SQLException.class, () -> M.update(t2, 1, 2));
      M.observed("innodb_snapshot_isolation conflict", MY.serializationFailure(), e, SERIALIZATION_FAILURE,
          TRANSACTION);
      assertEquals(0, M.value(t2, 2), "the earlier update of the transaction is gone");
      M.assertServerEffect(MY.serializationFailure(), e, t2, 2, 2);
    }
  }

  // --------------------------------------------------------------------------------------------- locks

  @Test
  void mariadbLockWaitTimeoutUndoesOnlyTheStatement() throws SQLException {
    try (Connection holder = M.session(); Connection waiter = M.session(
        "SET SESSION innodb_lock_wait_timeout = 1")) {
      holder.setAutoCommit(false);
      M.update(holder, 1, 1);
      waiter.setAutoCommit(false);
      M.update(waiter, 2, 2);
      // observed: plain SQLException HY000/1205 "(conn=N) Lock wait timeout exceeded; try restarting
      // transaction", after innodb_lock_wait_timeout (1 s)
      SQLException e = assertThrows(SQLException.class, () -> M.update(waiter, 1, 2));
      M.observed("innodb_lock_wait_timeout", MY.lockTimeout(), e, LOCK_TIMEOUT, STATEMENT);
      assertEquals(2, M.value(waiter, 2), "the waiter's transaction is still open with its earlier update");
      M.assertServerEffect(MY.lockTimeout(), e, waiter, 2, 2);
      holder.rollback();
    }
  }

  @Test
  void mariadbNowaitIsALockWaitTimeout() throws SQLException {
    try (Connection holder = M.session(); Connection waiter = M.session()) {
      holder.setAutoCommit(false);
      M.update(holder, 1, 1);
      waiter.setAutoCommit(false);
      M.update(waiter, 2, 2);
      // observed: MariaDB 10.11 does not raise MySQL's 3572 for NOWAIT but the same plain SQLException
      // HY000/1205 "Lock wait timeout exceeded; try restarting transaction", at once
      SQLException e = assertThrows(SQLException.class,
          () -> Measurement.exec(waiter, "SELECT v FROM " + M.table + " WHERE id = 1 FOR UPDATE NOWAIT"));
      M.observed("FOR UPDATE NOWAIT", MY.lockNotAvailable(), e, LOCK_TIMEOUT, STATEMENT);
      assertEquals(2, M.value(waiter, 2), "the waiter's transaction is still open with its earlier update");
      M.assertServerEffect(MY.lockNotAvailable(), e, waiter, 2, 2);
      holder.rollback();
    }
  }

  // ----------------------------------------------------------------------------------------- timeouts

  @Test
  void mariadbMaxStatementTime() throws SQLException {
    try (Connection c = M.session()) {
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      // observed: SQLTimeoutException 70100/1969 "(conn=N) Query execution was interrupted (max_statement_time
      // exceeded)"
      SQLException e = assertThrows(SQLException.class,
          () -> Measurement.exec(c, "SET STATEMENT max_statement_time = 0.05 FOR SELECT SLEEP(5)"));
      M.observed("max_statement_time", MY.queryTimeout(), e, QUERY_TIMEOUT, STATEMENT);
      M.assertServerEffect(MY.queryTimeout(), e, c, 2, 2);
    }
  }

  @Test
  void mariadbKillQueryWhileWaitingForALock() throws Exception {
    Failure interrupted = named("queryInterrupted");
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Connection holder = M.session(); Connection waiter = M.session("SET SESSION innodb_lock_wait_timeout = 20");
        Connection admin = M.session()) {
      holder.setAutoCommit(false);
      M.update(holder, 1, 1);
      long id = connectionId(waiter);
      waiter.setAutoCommit(false);
      M.update(waiter, 2, 2);
      Future<SQLException> waiting = thread.submit(() ->
          assertThrows(SQLException.class, () -> M.update(waiter, 1, 2)));
      awaitLockWait(admin, id);
      Measurement.exec(admin, "KILL QUERY " + id);
      // observed: SQLTimeoutException 70100/1317 "(conn=N) Query execution was interrupted"
      SQLException e = waiting.get(Measurement.WAIT_SECONDS, SECONDS);
      M.observed("KILL QUERY", interrupted, e, QUERY_TIMEOUT, STATEMENT);
      M.assertServerEffect(interrupted, e, waiter, 2, 2);
      holder.rollback();
    } finally {
      thread.shutdownNow();
    }
  }

  // -------------------------------------------------------------------------------------------- constraints

  @Test
  void mariadbDuplicateEntry() throws SQLException {
    try (Connection c = M.session()) {
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      // observed: SQLIntegrityConstraintViolationException 23000/1062 "(conn=N) Duplicate entry '1' for key
      // 'PRIMARY'"
      SQLException e = assertThrows(SQLException.class,
          () -> Measurement.exec(c, "INSERT INTO " + M.table + " (id, v) VALUES (1, 0)"));
      M.observed("duplicate entry", MY.uniqueViolation(), e, CONSTRAINT_VIOLATION, STATEMENT);
      assertEquals(2, M.value(c, 2), "only the INSERT was undone");
      M.assertServerEffect(MY.uniqueViolation(), e, c, 2, 2);
    }
  }

  // --------------------------------------------------------------------------------------- lost connections

  @Test
  void mariadbKillConnection() throws SQLException {
    try (Connection victim = M.session(); Connection admin = M.session()) {
      long id = connectionId(victim);
      victim.setAutoCommit(false);
      M.update(victim, 1, 1);
      Measurement.exec(admin, "KILL CONNECTION " + id);
      // observed: SQLNonTransientConnectionException 08000/-1 "(conn=N) Socket error" (never 1927 here), then
      // 08000/1220 "(conn=N) Connection is closed"
      SQLException e = assertThrows(SQLException.class, () -> M.update(victim, 2, 1));
      M.observed("KILL CONNECTION", MY.connectionLost(), e, CONNECTION_LOST, TRANSACTION);
      M.assertServerEffect(MY.connectionLost(), e, victim, 1, 1);
    }
  }

  @Test
  void mariadbSocketBroken() throws Exception {
    String[] hp = Measurement.hostAndPort(M.db.url());
    try (TcpProxy proxy = new TcpProxy(hp[0], Integer.parseInt(hp[1]));
        Connection c = DriverManager.getConnection(Measurement.through(proxy, M.db.url()))) {
      c.setAutoCommit(false);
      M.update(c, 1, 1);
      proxy.cut();
      // observed: SQLNonTransientConnectionException 08000/-1 "(conn=N) Socket error"
      SQLException e = assertThrows(SQLException.class, () -> M.update(c, 2, 2));
      M.observed("socket reset", MY.connectionLost(), e, CONNECTION_LOST, TRANSACTION);
      M.assertServerEffect(MY.connectionLost(), e, c, 1, 1);
    }
  }
}
