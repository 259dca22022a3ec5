package dev.txkit.jdbc;

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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.util.PSQLException;

/**
 * Produces the failures of FACTS.md section 1 for real, with concurrent raw JDBC sessions on the real
 * databases, and checks that txkit classifies what the driver really throws, and that the scope is what the
 * server really did (the transaction gone, or only the statement).
 *
 * <p>What the drivers produced here (pgjdbc 42.7.4 / PostgreSQL 15.20, MariaDB Connector/J 3.5.6 / MariaDB
 * 10.11.19, H2 2.3.232) is written next to each test and asserted, so a driver upgrade that changes it fails
 * here first. Each observation is also printed as a line starting with {@code OBSERVED}.
 */
class RealFailureClassificationIT {

  private static final String TABLE = "cls_rfc_rows";
  private static final int WAIT_SECONDS = 30;

  @AfterAll
  static void dropTables() {
    for (TestDb db : TestDatabases.servers()) {
      try (Connection c = java.sql.DriverManager.getConnection(db.url()); Statement st = c.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + TABLE);
      } catch (SQLException unreachable) {
        // nothing was created there
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** Creates the table with rows (1, 0) and (2, 0). */
  private static void rows(TestDb db) {
    db.createTable(TABLE, "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO " + TABLE + " (id, v) VALUES (1, 0), (2, 0)");
  }

  private static Connection session(TestDb db, String... setup) throws SQLException {
    Connection c = db.connect();
    try (Statement st = c.createStatement()) {
      for (String s : setup) {
        st.execute(s);
      }
    }
    return c;
  }

  private static int update(Connection c, int id, int v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET v = ? WHERE id = ?")) {
      ps.setInt(1, v);
      ps.setInt(2, id);
      return ps.executeUpdate();
    }
  }

  private static int value(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT v FROM " + TABLE + " WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "row " + id);
        return rs.getInt(1);
      }
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** Asserts and prints what the driver threw, and returns txkit's classification of it. */
  private static Classification observed(TestDb db, String scenario, SQLException e,
      Class<? extends SQLException> type, String sqlState, int vendorCode) {
    System.out.println("OBSERVED " + db + " " + scenario + ": " + e.getClass().getName() + " SQLState="
        + e.getSQLState() + " vendorCode=" + e.getErrorCode() + " message=" + e.getMessage().replace('\n', ' '));
    assertInstanceOf(type, e, scenario);
    assertEquals(sqlState, e.getSQLState(), scenario + ": SQLState");
    assertEquals(vendorCode, e.getErrorCode(), scenario + ": vendor code");
    return db.database().classifier().classify(e);
  }

  private static void assertClassified(FailureKind kind, FailureScope scope, Classification actual) {
    assertEquals(new Classification(kind, scope), actual);
  }

  /** On PostgreSQL, after an error the transaction is in failed state: the next statement gets 25P02. */
  private static void assertFailedState(Connection c) {
    SQLException e = assertThrows(SQLException.class, () -> value(c, 1));
    assertEquals("25P02", e.getSQLState(), "current transaction is aborted, commands ignored");
  }

  private interface Session {
    /** Runs one session's transaction; returns its failure, or null if it committed. */
    SQLException run(Connection c, CyclicBarrier bothHoldTheirFirstLock) throws Exception;
  }

  /**
   * Two sessions on their own threads, each with its own raw connection, started together.
   *
   * @return their failures (null for a session that committed)
   */
  private static List<SQLException> concurrently(TestDb db, String[] setup, Session first, Session second)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    CyclicBarrier barrier = new CyclicBarrier(2);
    try {
      List<Future<SQLException>> futures = new ArrayList<>();
      for (Session s : List.of(first, second)) {
        futures.add(threads.submit(() -> {
          try (Connection c = session(db, setup)) {
            return s.run(c, barrier);
          }
        }));
      }
      List<SQLException> out = new ArrayList<>();
      for (Future<SQLException> f : futures) {
        out.add(f.get(WAIT_SECONDS, SECONDS));
      }
      return out;
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Session {@code me} updates row {@code firstId} then, once both sessions hold their first lock, row
   * {@code secondId}, setting both to {@code me}. The deadlock victim checks what the server did to its
   * transaction before rolling back.
   */
  private static Session opposite(TestDb db, int me, int firstId, int secondId) {
    return (c, barrier) -> {
      c.setAutoCommit(false);
      update(c, firstId, me);
      barrier.await(WAIT_SECONDS, SECONDS);
      try {
        update(c, secondId, me);
        c.commit();
        return null;
      } catch (SQLException e) {
        if (db.database() == Database.POSTGRESQL) {
          assertFailedState(c);
        } else {
          // MariaDB and H2 rolled the whole transaction back: our own first update is gone
          assertNotEquals(me, value(c, firstId), "the victim's first update must have been rolled back");
        }
        c.rollback();
        return e;
      }
    };
  }

  private static SQLException deadlock(TestDb db, String... setup) throws Exception {
    rows(db);
    List<SQLException> failures = concurrently(db, setup, opposite(db, 1, 1, 2), opposite(db, 2, 2, 1));
    long failed = failures.stream().filter(f -> f != null).count();
    assertEquals(1, failed, "exactly one deadlock victim: " + failures);
    int winner = failures.get(0) == null ? 1 : 2;
    try (Connection c = db.connect()) {
      assertEquals(winner, value(c, 1));
      assertEquals(winner, value(c, 2));
    }
    return failures.get(0) != null ? failures.get(0) : failures.get(1);
  }

  // ----------------------------------------------------------------------------------------- detection

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void detectsTheLiveDatabase(TestDb db) throws SQLException {
    try (Connection c = db.connect()) {
      // product names seen: "PostgreSQL" 15.20 (Debian 15.20-0+deb12u1), "MariaDB" 10.11.19-MariaDB-0+deb12u1,
      // "H2" 2.3.232 (2024-08-11)
      System.out.println("OBSERVED " + db + " product: " + c.getMetaData().getDatabaseProductName() + " "
          + c.getMetaData().getDatabaseProductVersion());
      assertEquals(db.database(), Database.detect(c));
      assertTrue(c.getAutoCommit());
    }
    assertEquals(db.database(), Transactions.create(db.dataSource()).database());
  }

  // ---------------------------------------------------------------------------------------- PostgreSQL

  @Test
  void postgresSerializableWriteSkewFailsAtCommit() throws SQLException {
    TestDb db = TestDatabases.postgres();
    rows(db);
    try (Connection t1 = db.connect(); Connection t2 = db.connect()) {
      for (Connection c : List.of(t1, t2)) {
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setAutoCommit(false);
      }
      // both read both rows, each then writes the row the other read: write skew
      assertEquals(0, value(t1, 1) + value(t1, 2));
      assertEquals(0, value(t2, 1) + value(t2, 2));
      update(t1, 1, 1);
      update(t2, 2, 2);
      t1.commit();
      // observed: PSQLException 40001 "could not serialize access due to read/write dependencies among
      // transactions" (detail: "Canceled on identification as a pivot, during commit attempt."), thrown by commit()
      SQLException e = assertThrows(SQLException.class, t2::commit);
      assertClassified(SERIALIZATION_FAILURE, TRANSACTION,
          observed(db, "write skew at COMMIT", e, PSQLException.class, "40001", 0));
      t2.rollback();
    }
    try (Connection c = db.connect()) {
      assertEquals(1, value(c, 1));
      assertEquals(0, value(c, 2), "the failed commit must not have written");
    }
  }

  @Test
  void postgresSerializableWriteSkewFailsAtAStatement() throws SQLException {
    TestDb db = TestDatabases.postgres();
    rows(db);
    try (Connection t1 = db.connect(); Connection t2 = db.connect()) {
      for (Connection c : List.of(t1, t2)) {
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setAutoCommit(false);
      }
      assertEquals(0, value(t1, 1) + value(t1, 2));
      assertEquals(0, value(t2, 1) + value(t2, 2));
      update(t1, 1, 1);
      t1.commit();
      // t2 now writes a row t1 read, after t1 committed its write of a row t2 read
      // observed: PSQLException 40001 "could not serialize access due to read/write dependencies among
      // transactions" (detail: "Canceled on identification as a pivot, during write."), thrown by the UPDATE
      SQLException e = assertThrows(SQLException.class, () -> update(t2, 2, 2));
      assertClassified(SERIALIZATION_FAILURE, TRANSACTION,
          observed(db, "write skew at a statement", e, PSQLException.class, "40001", 0));
      assertFailedState(t2);
      t2.rollback();
    }
  }

  @Test
  void postgresConcurrentUpdateUnderRepeatableRead() throws SQLException {
    TestDb db = TestDatabases.postgres();
    rows(db);
    try (Connection t1 = db.connect(); Connection t2 = db.connect()) {
      t2.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      t2.setAutoCommit(false);
      assertEquals(0, value(t2, 1)); // takes the snapshot
      update(t1, 1, 1); // autocommit
      // observed: PSQLException 40001 "could not serialize access due to concurrent update"
      SQLException e = assertThrows(SQLException.class, () -> update(t2, 1, 2));
      assertClassified(SERIALIZATION_FAILURE, TRANSACTION,
          observed(db, "concurrent update (REPEATABLE READ)", e, PSQLException.class, "40001", 0));
      t2.rollback();
    }
  }

  @Test
  void postgresDeadlock() throws Exception {
    TestDb db = TestDatabases.postgres();
    // observed: PSQLException 40P01 "deadlock detected" (detail names both processes and the locks)
    SQLException e = deadlock(db, "SET deadlock_timeout = '50ms'", "SET lock_timeout = '20s'");
    assertClassified(DEADLOCK, TRANSACTION, observed(db, "deadlock", e, PSQLException.class, "40P01", 0));
  }

  @Test
  void postgresLockNotAvailable() throws SQLException {
    TestDb db = TestDatabases.postgres();
    rows(db);
    try (Connection holder = db.connect(); Connection waiter = db.connect()) {
      holder.setAutoCommit(false);
      update(holder, 1, 1);

      waiter.setAutoCommit(false);
      // observed: PSQLException 55P03 "could not obtain lock on row in relation "cls_rfc_rows""
      SQLException nowait = assertThrows(SQLException.class,
          () -> exec(waiter, "SELECT v FROM " + TABLE + " WHERE id = 1 FOR UPDATE NOWAIT"));
      assertClassified(LOCK_NOT_AVAILABLE, STATEMENT,
          observed(db, "FOR UPDATE NOWAIT", nowait, PSQLException.class, "55P03", 0));
      assertFailedState(waiter);
      waiter.rollback();

      exec(waiter, "SET LOCAL lock_timeout = '100ms'");
      // observed: PSQLException 55P03 "canceling statement due to lock timeout"
      SQLException timeout = assertThrows(SQLException.class, () -> update(waiter, 1, 2));
      assertClassified(LOCK_TIMEOUT, STATEMENT,
          observed(db, "lock_timeout", timeout, PSQLException.class, "55P03", 0));
      assertFailedState(waiter);
      waiter.rollback();
      holder.rollback();
    }
  }

  @Test
  void postgresStatementTimeout() throws SQLException {
    TestDb db = TestDatabases.postgres();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      exec(c, "SET LOCAL statement_timeout = '100ms'");
      // observed: PSQLException 57014 "canceling statement due to statement timeout"
      SQLException e = assertThrows(SQLException.class, () -> exec(c, "SELECT pg_sleep(10)"));
      assertClassified(QUERY_TIMEOUT, STATEMENT,
          observed(db, "statement_timeout", e, PSQLException.class, "57014", 0));
      assertFailedState(c);
      c.rollback();
    }
  }

  @Test
  void postgresUniqueViolation() throws SQLException {
    TestDb db = TestDatabases.postgres();
    rows(db);
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      // observed: PSQLException 23505 "duplicate key value violates unique constraint "cls_rfc_rows_pkey""
      SQLException e = assertThrows(SQLException.class,
          () -> exec(c, "INSERT INTO " + TABLE + " (id, v) VALUES (1, 0)"));
      assertClassified(CONSTRAINT_VIOLATION, STATEMENT,
          observed(db, "unique violation", e, PSQLException.class, "23505", 0));
      assertFailedState(c);
      c.rollback();
    }
  }

  @Test
  void postgresBackendTerminatedByAnotherSession() throws SQLException {
    TestDb db = TestDatabases.postgres();
    rows(db);
    try (Connection victim = db.connect(); Connection admin = db.connect()) {
      victim.setAutoCommit(false);
      update(victim, 1, 1);
      int pid;
      try (Statement st = victim.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      // the two-argument form (PostgreSQL 14+) returns once the backend has exited
      try (PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
        ps.setInt(1, pid);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertTrue(rs.getBoolean(1), "pg_terminate_backend");
        }
      }
      // observed: PSQLException 57P01 "FATAL: terminating connection due to administrator command" on the
      // victim's next statement (the server's error message was waiting in the socket); 08006 "An I/O error
      // occurred while sending to the backend" is the other possible outcome, when the write fails first
      SQLException e = assertThrows(SQLException.class, () -> update(victim, 2, 1));
      String state = e.getSQLState();
      assertTrue("57P01".equals(state) || "08006".equals(state), "57P01 or 08006, was " + state);
      assertClassified(CONNECTION_LOST, TRANSACTION,
          observed(db, "pg_terminate_backend", e, PSQLException.class, state, 0));
    }
    try (Connection c = db.connect()) {
      assertEquals(0, value(c, 1), "the terminated session's update must be gone");
    }
  }

  // ------------------------------------------------------------------------------------------- MariaDB

  @Test
  void mariadbDeadlock() throws Exception {
    TestDb db = TestDatabases.mariadb();
    // observed: SQLTransactionRollbackException 40001/1213 "(conn=N) Deadlock found when trying to get lock;
    // try restarting transaction"; InnoDB detects it at once and rolls the victim's transaction back
    SQLException e = deadlock(db, "SET SESSION innodb_lock_wait_timeout = 20");
    assertClassified(DEADLOCK, TRANSACTION,
        observed(db, "deadlock", e, SQLTransactionRollbackException.class, "40001", 1213));
  }

  @Test
  void mariadbLockWaitTimeoutUndoesOnlyTheStatement() throws SQLException {
    TestDb db = TestDatabases.mariadb();
    rows(db);
    try (Connection holder = db.connect(); Connection waiter = session(db,
        "SET SESSION innodb_lock_wait_timeout = 1")) {
      holder.setAutoCommit(false);
      update(holder, 1, 1);
      waiter.setAutoCommit(false);
      update(waiter, 2, 2);
      // observed: plain SQLException HY000/1205 "(conn=N) Lock wait timeout exceeded; try restarting
      // transaction", after innodb_lock_wait_timeout (1 s)
      SQLException e = assertThrows(SQLException.class, () -> update(waiter, 1, 2));
      assertClassified(LOCK_TIMEOUT, STATEMENT,
          observed(db, "innodb_lock_wait_timeout", e, SQLException.class, "HY000", 1205));
      assertEquals(2, value(waiter, 2), "the waiter's transaction is still open with its earlier update");
      waiter.rollback();
      holder.rollback();
    }
  }

  @Test
  void mariadbNowaitIsALockWaitTimeout() throws SQLException {
    TestDb db = TestDatabases.mariadb();
    rows(db);
    try (Connection holder = db.connect(); Connection waiter = db.connect()) {
      holder.setAutoCommit(false);
      update(holder, 1, 1);
      waiter.setAutoCommit(false);
      update(waiter, 2, 2);
      // observed: MariaDB 10.11 does not raise MySQL's 3572 for NOWAIT but the same plain SQLException
      // HY000/1205 "Lock wait timeout exceeded; try restarting transaction", at once
      SQLException e = assertThrows(SQLException.class,
          () -> exec(waiter, "SELECT v FROM " + TABLE + " WHERE id = 1 FOR UPDATE NOWAIT"));
      assertClassified(LOCK_TIMEOUT, STATEMENT,
          observed(db, "FOR UPDATE NOWAIT", e, SQLException.class, "HY000", 1205));
      assertEquals(2, value(waiter, 2), "the waiter's transaction is still open with its earlier update");
      waiter.rollback();
      holder.rollback();
    }
  }

  @Test
  void mariadbDuplicateEntry() throws SQLException {
    TestDb db = TestDatabases.mariadb();
    rows(db);
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      update(c, 2, 2);
      // observed: SQLIntegrityConstraintViolationException 23000/1062 "(conn=N) Duplicate entry '1' for key
      // 'PRIMARY'"
      SQLException e = assertThrows(SQLException.class,
          () -> exec(c, "INSERT INTO " + TABLE + " (id, v) VALUES (1, 0)"));
      assertClassified(CONSTRAINT_VIOLATION, STATEMENT,
          observed(db, "duplicate entry", e, SQLIntegrityConstraintViolationException.class, "23000", 1062));
      assertEquals(2, value(c, 2), "only the INSERT was undone");
      c.rollback();
    }
  }

  @Test
  void mariadbSnapshotIsolationConflict() throws SQLException {
    TestDb db = TestDatabases.mariadb();
    rows(db);
    try (Connection t1 = db.connect(); Connection t2 = session(db, "SET SESSION innodb_snapshot_isolation = ON")) {
      t2.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      t2.setAutoCommit(false);
      update(t2, 2, 2);
      assertEquals(0, value(t2, 1)); // reads row 1 into the snapshot
      update(t1, 1, 1); // autocommit
      // observed: plain SQLException HY000/1020 "(conn=N) Record has changed since last read in table
      // 'cls_rfc_rows'; try restarting transaction"; the whole transaction was rolled back
      SQLException e = assertThrows(SQLException.class, () -> update(t2, 1, 2));
      assertClassified(SERIALIZATION_FAILURE, TRANSACTION,
          observed(db, "innodb_snapshot_isolation conflict", e, SQLException.class, "HY000", 1020));
      assertEquals(0, value(t2, 2), "the earlier update of the transaction is gone");
      t2.rollback();
    }
  }

  // ------------------------------------------------------------------------------------------------ H2

  @Test
  void h2Deadlock() throws Exception {
    TestDb db = TestDatabases.h2();
    // observed: JdbcSQLTransactionRollbackException 40001/40001 "Deadlock detected. The current transaction was
    // rolled back. Details: ..."; the connection stays usable
    SQLException e = deadlock(db, "SET LOCK_TIMEOUT 20000");
    assertClassified(DEADLOCK, TRANSACTION,
        observed(db, "deadlock", e, SQLTransactionRollbackException.class, "40001", 40001));
  }

  @Test
  void h2WriteConflictUnderRepeatableReadIsReportedAsADeadlock() throws SQLException {
    TestDb db = TestDatabases.h2();
    rows(db);
    try (Connection t1 = db.connect(); Connection t2 = db.connect()) {
      t2.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      t2.setAutoCommit(false);
      update(t2, 2, 2);
      assertEquals(0, value(t2, 1));
      update(t1, 1, 1); // autocommit
      // observed: JdbcSQLTransactionRollbackException 40001/40001 "Deadlock detected. The current transaction
      // was rolled back."
      SQLException e = assertThrows(SQLException.class, () -> update(t2, 1, 2));
      assertClassified(DEADLOCK, TRANSACTION,
          observed(db, "write conflict (REPEATABLE READ)", e, SQLTransactionRollbackException.class, "40001",
              40001));
      assertEquals(0, value(t2, 2), "the earlier update of the transaction is gone");
      t2.rollback();
    }
  }

  @Test
  void h2LockTimeoutUndoesOnlyTheStatement() throws SQLException {
    TestDb db = TestDatabases.h2();
    rows(db);
    try (Connection holder = db.connect(); Connection waiter = session(db, "SET LOCK_TIMEOUT 100")) {
      holder.setAutoCommit(false);
      update(holder, 1, 1);
      waiter.setAutoCommit(false);
      update(waiter, 2, 2);
      // observed: JdbcSQLTimeoutException HYT00/50200 "Timeout trying to lock table "CLS_RFC_ROWS"" (a
      // SQLTimeoutException, yet a lock timeout rather than a query timeout)
      SQLException e = assertThrows(SQLException.class, () -> update(waiter, 1, 2));
      assertClassified(LOCK_TIMEOUT, STATEMENT,
          observed(db, "LOCK_TIMEOUT", e, SQLTimeoutException.class, "HYT00", 50200));
      assertEquals(2, value(waiter, 2), "the waiter's transaction is still open with its earlier update");

      // FOR UPDATE NOWAIT: the same error, at once
      SQLException nowait = assertThrows(SQLException.class,
          () -> exec(waiter, "SELECT v FROM " + TABLE + " WHERE id = 1 FOR UPDATE NOWAIT"));
      assertClassified(LOCK_TIMEOUT, STATEMENT,
          observed(db, "FOR UPDATE NOWAIT", nowait, SQLTimeoutException.class, "HYT00", 50200));
      waiter.rollback();
      holder.rollback();
    }
  }

  @Test
  void h2DuplicateKey() throws SQLException {
    TestDb db = TestDatabases.h2();
    rows(db);
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      update(c, 2, 2);
      // observed: JdbcSQLIntegrityConstraintViolationException 23505/23505 "Unique index or primary key
      // violation: "PUBLIC.PRIMARY_KEY_..."
      SQLException e = assertThrows(SQLException.class,
          () -> exec(c, "INSERT INTO " + TABLE + " (id, v) VALUES (1, 0)"));
      assertClassified(CONSTRAINT_VIOLATION, STATEMENT,
          observed(db, "duplicate key", e, SQLIntegrityConstraintViolationException.class, "23505", 23505));
      assertEquals(2, value(c, 2), "only the INSERT was undone");
      c.rollback();
    }
  }
}
