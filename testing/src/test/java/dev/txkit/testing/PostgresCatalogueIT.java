package dev.txkit.testing;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_NOT_AVAILABLE;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.FailureScope.STATEMENT;
import static dev.txkit.FailureScope.TRANSACTION;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.postgresql.util.PSQLException;

/**
 * Produces PostgreSQL's failures for real (pgjdbc 42.7.4, PostgreSQL 15), with concurrent raw JDBC sessions,
 * and checks each against its entry in the kit's catalogue ({@link Failures#postgres()}): the exception the
 * driver really throws, what the server really does next (the aborted transaction: 25P02 until ROLLBACK,
 * COMMIT rolls back; or the connection gone), and that txkit classifies it as the catalogue says. Each
 * observation is printed as a line starting with {@code OBSERVED}; a driver or server upgrade that changes one
 * fails here first.
 */
class PostgresCatalogueIT {

  private static final Measurement M = new Measurement(TestDatabases.postgres(), "cat_pg_rows");
  private static final Failures PG = Failures.postgres();

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
      M.assertEveryMeasuredEntryWasProduced(PostgresCatalogueIT.class);
    } finally {
      M.drop();
      M.db.exec("DROP TABLE IF EXISTS cat_pg_ranges");
    }
  }

  private static Failure named(String name) {
    return PG.all().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  private static int backendPid(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Waits until the backend is gone or runs the given query text, by asking the server (no sleeping). */
  private static void awaitBackend(Connection admin, int pid, boolean gone) throws SQLException {
    String sql = gone ? "SELECT count(*) FROM pg_stat_activity WHERE pid = ?"
        : "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND state = 'active' AND query LIKE '%pg_sleep%'";
    long deadline = System.nanoTime() + SECONDS.toNanos(Measurement.WAIT_SECONDS);
    try (PreparedStatement ps = admin.prepareStatement(sql)) {
      ps.setInt(1, pid);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if ((rs.getInt(1) == 0) == gone) {
            return;
          }
        }
      }
    }
    throw new AssertionError("backend " + pid + (gone ? " did not exit" : " did not start its statement"));
  }

  // ------------------------------------------------------------------------- deadlock and serialization

  @Test
  void postgresDeadlock() throws Exception {
    // observed: PSQLException 40P01 "deadlock detected" (detail names both processes and the locks); the
    // victim's transaction is aborted: 25P02 until ROLLBACK
    SQLException e = M.deadlock(PG.deadlock(), "SET deadlock_timeout = '50ms'", "SET lock_timeout = '20s'");
    M.observed("deadlock", PG.deadlock(), e, DEADLOCK, TRANSACTION);
  }

  @Test
  void postgresConcurrentUpdateUnderRepeatableRead() throws SQLException {
    try (Connection t1 = M.session(); Connection t2 = M.session()) {
      t2.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      t2.setAutoCommit(false);
      M.update(t2, 2, 2); // takes the snapshot, and is the earlier work
      M.update(t1, 1, 1); // autocommit
      // observed: PSQLException 40001 "could not serialize access due to concurrent update"
      SQLException e = assertThrows(SQLException.class, () -> M.update(t2, 1, 2));
      M.observed("concurrent update (REPEATABLE READ)", PG.serializationFailure(), e, SERIALIZATION_FAILURE,
          TRANSACTION);
      M.assertServerEffect(PG.serializationFailure(), e, t2, 2, 2);
    }
  }

  @Test
  void postgresSerializableWriteSkewFailsAtAStatement() throws SQLException {
    try (Connection t1 = M.session(); Connection t2 = M.session()) {
      for (Connection c : List.of(t1, t2)) {
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setAutoCommit(false);
      }
      assertEquals(0, M.value(t1, 1) + M.value(t1, 2));
      assertEquals(0, M.value(t2, 1) + M.value(t2, 2));
      M.update(t2, 3, 3); // t2's earlier work, on a row nobody reads
      M.update(t1, 1, 1);
      t1.commit();
      // t2 now writes a row t1 read, after t1 committed its write of a row t2 read
      // observed: PSQLException 40001 "could not serialize access due to read/write dependencies among
      // transactions" (detail: "Canceled on identification as a pivot, during write."), thrown by the UPDATE
      SQLException e = assertThrows(SQLException.class, () -> M.update(t2, 2, 2));
      Failure entry = named("serializableConflict");
      M.observed("write skew at a statement", entry, e, SERIALIZATION_FAILURE, TRANSACTION);
      M.assertServerEffect(entry, e, t2, 3, 3);
    }
  }

  @Test
  void postgresSerializableWriteSkewFailsAtCommit() throws SQLException {
    try (Connection t1 = M.session(); Connection t2 = M.session()) {
      for (Connection c : List.of(t1, t2)) {
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setAutoCommit(false);
      }
      // both read both rows, each then writes the row the other read: write skew
      assertEquals(0, M.value(t1, 1) + M.value(t1, 2));
      assertEquals(0, M.value(t2, 1) + M.value(t2, 2));
      M.update(t1, 1, 1);
      M.update(t2, 2, 2);
      t1.commit();
      // observed: PSQLException 40001 "could not serialize access due to read/write dependencies among
      // transactions" (detail: "Canceled on identification as a pivot, during commit attempt."), thrown by commit()
      SQLException e = assertThrows(SQLException.class, t2::commit);
      Failure entry = named("serializableConflict");
      M.observed("write skew at COMMIT", entry, e, SERIALIZATION_FAILURE, TRANSACTION);
      // a failed COMMIT ends the transaction: no aborted state, the next statement runs in a new one
      assertEquals(1, M.value(t2, 1));
      t2.rollback();
    }
    assertEquals(1, M.committed(1));
    assertEquals(0, M.committed(2), "the failed commit must not have written");
  }

  // --------------------------------------------------------------------------------------------- locks

  @Test
  void postgresLockNotAvailable() throws SQLException {
    try (Connection holder = M.session(); Connection waiter = M.session()) {
      holder.setAutoCommit(false);
      M.update(holder, 1, 1);

      waiter.setAutoCommit(false);
      M.update(waiter, 2, 2);
      // observed: PSQLException 55P03 "could not obtain lock on row in relation "cat_pg_rows""
      SQLException nowait = assertThrows(SQLException.class,
          () -> Measurement.exec(waiter, "SELECT v FROM " + M.table + " WHERE id = 1 FOR UPDATE NOWAIT"));
      M.observed("FOR UPDATE NOWAIT", PG.lockNotAvailable(), nowait, LOCK_NOT_AVAILABLE, STATEMENT);
      M.assertServerEffect(PG.lockNotAvailable(), nowait, waiter, 2, 2);

      Measurement.exec(waiter, "SET LOCAL lock_timeout = '100ms'");
      M.update(waiter, 3, 3);
      // observed: PSQLException 55P03 "canceling statement due to lock timeout"
      SQLException timeout = assertThrows(SQLException.class, () -> M.update(waiter, 1, 2));
      M.observed("lock_timeout", PG.lockTimeout(), timeout, LOCK_TIMEOUT, STATEMENT);
      M.assertServerEffect(PG.lockTimeout(), timeout, waiter, 3, 3);
      holder.rollback();
    }
  }

  @Test
  void postgresSavepointRescuesTheAbortedTransaction() throws SQLException {
    try (Connection holder = M.session(); Connection c = M.session()) {
      holder.setAutoCommit(false);
      M.update(holder, 1, 1);
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      Savepoint sp = c.setSavepoint();
      SQLException e = assertThrows(SQLException.class,
          () -> Measurement.exec(c, "SELECT v FROM " + M.table + " WHERE id = 1 FOR UPDATE NOWAIT"));
      M.observed("FOR UPDATE NOWAIT in a savepoint", PG.lockNotAvailable(), e, LOCK_NOT_AVAILABLE, STATEMENT);
      SQLException aborted = assertThrows(SQLException.class, () -> M.value(c, 2));
      M.inFailedTransaction("statement in the aborted savepoint", aborted, e);
      c.rollback(sp);
      M.update(c, 3, 3);
      c.commit();
      holder.rollback();
    }
    assertEquals(2, M.committed(2), "the work before the savepoint was committed");
    assertEquals(3, M.committed(3), "and the work after rolling back to it");
  }

  // ------------------------------------------------------------------------------------------- timeouts

  @Test
  void postgresStatementTimeout() throws SQLException {
    try (Connection c = M.session()) {
      c.setAutoCommit(false);
      Measurement.exec(c, "SET LOCAL statement_timeout = '100ms'");
      M.update(c, 2, 2);
      // observed: PSQLException 57014 "canceling statement due to statement timeout"
      SQLException e = assertThrows(SQLException.class, () -> Measurement.exec(c, "SELECT pg_sleep(10)"));
      M.observed("statement_timeout", PG.queryTimeout(), e, QUERY_TIMEOUT, STATEMENT);
      M.assertServerEffect(PG.queryTimeout(), e, c, 2, 2);
    }
  }

  @Test
  void postgresCancelledByAnotherSession() throws Exception {
    Failure cancelled = named("queryCancelled");
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Connection c = M.session(); Connection admin = M.session()) {
      int pid = backendPid(c);
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      Future<SQLException> sleeping = thread.submit(() ->
          assertThrows(SQLException.class, () -> Measurement.exec(c, "SELECT pg_sleep(30)")));
      awaitBackend(admin, pid, false);
      Measurement.exec(admin, "SELECT pg_cancel_backend(" + pid + ")");
      // observed: PSQLException 57014 "canceling statement due to user request"
      SQLException e = sleeping.get(Measurement.WAIT_SECONDS, SECONDS);
      M.observed("pg_cancel_backend", cancelled, e, QUERY_TIMEOUT, STATEMENT);
      M.assertServerEffect(cancelled, e, c, 2, 2);
    } finally {
      thread.shutdownNow();
    }
  }

  // -------------------------------------------------------------------------------------------- constraints

  @Test
  void postgresUniqueViolation() throws SQLException {
    try (Connection c = M.session()) {
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      // observed: PSQLException 23505 "duplicate key value violates unique constraint "cat_pg_rows_pkey""
      SQLException e = assertThrows(SQLException.class,
          () -> Measurement.exec(c, "INSERT INTO " + M.table + " (id, v) VALUES (1, 0)"));
      M.observed("unique violation", PG.uniqueViolation(), e, CONSTRAINT_VIOLATION, STATEMENT);
      M.assertServerEffect(PG.uniqueViolation(), e, c, 2, 2);
    }
  }

  @Test
  void postgresExclusionAndNotNullViolations() throws SQLException {
    M.db.createTable("cat_pg_ranges", "id INT PRIMARY KEY, r int4range NOT NULL, EXCLUDE USING gist (r WITH &&)");
    M.db.exec("INSERT INTO cat_pg_ranges (id, r) VALUES (1, int4range(1, 10))");
    Failure exclusion = named("exclusionViolation");
    Failure notNull = named("notNullViolation");
    try (Connection c = M.session()) {
      c.setAutoCommit(false);
      M.update(c, 2, 2);
      // observed: PSQLException 23P01 "conflicting key value violates exclusion constraint "cat_pg_ranges_r_excl""
      SQLException e = assertThrows(SQLException.class,
          () -> Measurement.exec(c, "INSERT INTO cat_pg_ranges (id, r) VALUES (2, int4range(5, 15))"));
      M.observed("exclusion violation", exclusion, e, CONSTRAINT_VIOLATION, STATEMENT);
      M.assertServerEffect(exclusion, e, c, 2, 2);

      M.update(c, 3, 3);
      // observed: PSQLException 23502 "null value in column "v" of relation "cat_pg_rows" violates not-null
      // constraint"
      SQLException n = assertThrows(SQLException.class,
          () -> Measurement.exec(c, "UPDATE " + M.table + " SET v = NULL WHERE id = 1"));
      M.observed("not-null violation", notNull, n, CONSTRAINT_VIOLATION, STATEMENT);
      M.assertServerEffect(notNull, n, c, 3, 3);
    }
  }

  // --------------------------------------------------------------------------------------- lost connections

  /** Ends a session's backend from the server side, once the session has updated row 1. */
  private interface Termination {
    void terminate(Connection victim, int pid, Connection admin) throws SQLException;
  }

  /**
   * The victim's next call after the server ended its backend sees the server's FATAL that waited in the socket,
   * or, when its write fails first, pgjdbc's I/O error 08006: both are catalogue entries, and both are checked;
   * repeated (at most 5 rounds) until the FATAL was seen.
   */
  private static void terminated(String scenario, Failure fatal, String[] setup, Termination how)
      throws SQLException {
    boolean sawFatal = false;
    for (int round = 0; round < 5 && !sawFatal; round++) {
      M.rows();
      try (Connection victim = M.session(setup); Connection admin = M.session()) {
        int pid = backendPid(victim);
        victim.setAutoCommit(false);
        M.update(victim, 1, 1);
        how.terminate(victim, pid, admin);
        SQLException e = assertThrows(SQLException.class, () -> M.update(victim, 2, 1));
        String state = e.getSQLState();
        assertTrue(fatal.sqlState().equals(state) || "08006".equals(state),
            scenario + ": " + fatal.sqlState() + " or 08006, was " + state);
        Failure entry = fatal.sqlState().equals(state) ? fatal : PG.connectionLost();
        sawFatal = entry == fatal;
        M.observed(scenario, entry, e, CONNECTION_LOST, TRANSACTION);
        M.assertServerEffect(entry, e, victim, 1, 1);
      }
    }
    assertTrue(sawFatal, scenario + ": " + fatal.sqlState() + " never seen in 5 rounds");
  }

  @Test
  void postgresBackendTerminatedByAnotherSession() throws SQLException {
    // observed: PSQLException 57P01 "FATAL: terminating connection due to administrator command" on the
    // victim's next statement; then 08003 "This connection has been closed."
    terminated("pg_terminate_backend", named("connectionKilled"), new String[0], (victim, pid, admin) -> {
      // the two-argument form (PostgreSQL 14+) returns once the backend has exited
      try (PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
        ps.setInt(1, pid);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertTrue(rs.getBoolean(1), "pg_terminate_backend");
        }
      }
    });
  }

  @Test
  void postgresIdleInTransactionTimeout() throws SQLException {
    // observed: PSQLException 25P03 "FATAL: terminating connection due to idle-in-transaction timeout"
    terminated("idle_in_transaction_session_timeout", named("idleInTransactionTimeout"),
        new String[] {"SET idle_in_transaction_session_timeout = '50ms'"},
        (victim, pid, admin) -> awaitBackend(admin, pid, true));
  }

  @Test
  void postgresSocketBroken() throws Exception {
    String[] hp = Measurement.hostAndPort(M.db.url());
    try (TcpProxy proxy = new TcpProxy(hp[0], Integer.parseInt(hp[1]));
        Connection c = DriverManager.getConnection(Measurement.through(proxy, M.db.url()))) {
      c.setAutoCommit(false);
      M.update(c, 1, 1);
      proxy.cut();
      // observed: PSQLException 08006 "An I/O error occurred while sending to the backend."
      SQLException e = assertThrows(SQLException.class, () -> M.update(c, 2, 2));
      M.observed("socket reset", PG.connectionLost(), e, CONNECTION_LOST, TRANSACTION);
      M.assertServerEffect(PG.connectionLost(), e, c, 1, 1);
    }
  }

  @Test
  void postgresNothingListening() throws Exception {
    Failure refused = named("connectionRefused");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/t?user=postgres&connectTimeout=5";
    // observed: PSQLException 08001 "Connection to 127.0.0.1:N refused. Check that the hostname and port are
    // correct and that the postmaster is accepting TCP/IP connections."
    SQLException e = assertThrows(PSQLException.class, () -> DriverManager.getConnection(url).close());
    M.observed("connection refused", refused, e, CONNECTION_LOST, TRANSACTION);
  }
}
