package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault points whose consequences differ per server, on the real PostgreSQL and MariaDB: PostgreSQL's
 * aborted state, MariaDB's statement-only lock timeout, a dropped connection, a commit whose reply is lost.
 * Where possible the emulation is compared with the real server's own behaviour. The emulation follows the
 * catalogue entries' server effects, so txkit's reaction to them is judged by the kit, not by txkit's own
 * classification.
 */
class ServerFaultsIT {

  private Fixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.drop();
    }
  }

  static List<TestDb> servers() {
    return TestDatabases.servers();
  }

  private Fixture on(TestDb db) {
    f = new Fixture(db, "fi_server");
    return f;
  }

  /** Runs a script on one connection, recording each statement's SQLState ("ok" if none). */
  private static List<String> script(Connection c, String... sql) {
    List<String> states = new ArrayList<>();
    for (String s : sql) {
      try (Statement st = c.createStatement()) {
        st.execute(s);
        states.add("ok");
      } catch (SQLException e) {
        states.add(e.getSQLState());
      }
    }
    return states;
  }

  // ---- PostgreSQL's aborted transaction --------------------------------------------------------------------

  @Test
  void postgresAbortedStateIsEmulatedAsTheServerBehaves() throws SQLException {
    on(TestDatabases.postgres());
    f.db.exec("INSERT INTO fi_server VALUES (1, 1)");
    List<String> real;
    try (Connection c = f.db.connect()) {
      c.setAutoCommit(false);
      real = script(c, "INSERT INTO fi_server VALUES (2, 2)", "INSERT INTO fi_server VALUES (1, 1)", "SELECT 1");
      c.commit(); // pgjdbc: the server answers ROLLBACK, the driver reports success
    }
    List<Long> realRows = f.ids();

    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("(3, 3)"))
        .fail(Failures.postgres().uniqueViolation()));
    List<String> emulated;
    try (Connection c = f.ds.getConnection()) {
      c.setAutoCommit(false);
      emulated = script(c, "INSERT INTO fi_server VALUES (2, 2)", "INSERT INTO fi_server VALUES (3, 3)",
          "SELECT 1");
      c.commit();
      c.setAutoCommit(true);
    }
    assertEquals(List.of("ok", "23505", "25P02"), real);
    assertEquals(real, emulated);
    assertEquals(List.of(1L), realRows);
    assertEquals(realRows, f.ids(), "COMMIT of the aborted transaction rolled it back");
  }

  @Test
  void postgresAbortedStateCarriesTheAbortingFailureAsItsCauseAsPgjdbcDoes() throws SQLException {
    on(TestDatabases.postgres());
    f.db.exec("INSERT INTO fi_server VALUES (1, 1)");
    SQLException real;
    try (Connection c = f.db.connect()) {
      c.setAutoCommit(false);
      SQLException duplicate = assertThrows(SQLException.class,
          () -> script1(c, "INSERT INTO fi_server VALUES (1, 1)"));
      real = assertThrows(SQLException.class, () -> script1(c, "SELECT 1"));
      assertSame(duplicate, real.getCause());
      c.rollback();
    }
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("(2, 2)"))
        .fail(Failures.postgres().uniqueViolation()));
    SQLException emulated;
    try (Connection c = f.ds.getConnection()) {
      c.setAutoCommit(false);
      SQLException injected = assertThrows(SQLException.class,
          () -> script1(c, "INSERT INTO fi_server VALUES (2, 2)"));
      emulated = assertThrows(SQLException.class, () -> script1(c, "SELECT 1"));
      assertSame(injected, emulated.getCause());
      c.rollback();
      c.setAutoCommit(true);
    }
    assertEquals(real.getClass(), emulated.getClass());
    assertEquals(real.getSQLState(), emulated.getSQLState());
    assertEquals(real.getMessage(), emulated.getMessage());
    assertEquals(real.getCause().getClass(), emulated.getCause().getClass());
    assertEquals(((SQLException) real.getCause()).getSQLState(), ((SQLException) emulated.getCause()).getSQLState());
  }

  /** Runs one statement, letting its failure through. */
  private static void script1(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  @Test
  void postgresLockFailureInANestedBlockIsUndoneByItsSavepointAndTheOuterTransactionCommits() {
    on(TestDatabases.postgres());
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("FOR UPDATE NOWAIT"))
        .fail(Failures.postgres().lockNotAvailable()));
    f.txs.useTransaction(tx -> {
      tx.update(f.insert(), 1, 1);
      DatabaseFailureException e = assertThrows(DatabaseFailureException.class, () -> f.txs.useTransaction(inner -> {
        inner.update(f.insert(), 2, 2);
        inner.query("SELECT v FROM fi_server WHERE id = 1 FOR UPDATE NOWAIT", rs -> rs.getInt(1));
      }));
      assertEquals(FailureKind.LOCK_NOT_AVAILABLE, e.kind());
      tx.update(f.insert(), 3, 3);
    });
    assertEquals(List.of(1L, 3L), f.ids(), "the savepoint undid the nested block only; the outer work committed");
    f.recorder.assertAttempts(1);
  }

  @Test
  void postgresSavepointRescuesTheAbortedState() throws SQLException {
    on(TestDatabases.postgres());
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("(2, 2)"))
        .fail(Failures.postgres().lockNotAvailable()));
    try (Connection c = f.ds.getConnection()) {
      c.setAutoCommit(false);
      assertEquals(List.of("ok"), script(c, "INSERT INTO fi_server VALUES (1, 1)"));
      Savepoint sp = c.setSavepoint();
      assertEquals(List.of("55P03", "25P02"), script(c, "INSERT INTO fi_server VALUES (2, 2)", "SELECT 1"));
      assertEquals("25P02", assertThrows(SQLException.class, () -> c.releaseSavepoint(sp)).getSQLState());
      c.rollback(sp);
      assertEquals(List.of("ok"), script(c, "INSERT INTO fi_server VALUES (3, 3)"));
      c.commit();
      c.setAutoCommit(true);
    }
    assertEquals(List.of(1L, 3L), f.ids());
  }

  @Test
  void postgresLockFailureRollsBackEverythingThroughTxkit() {
    on(TestDatabases.postgres());
    f.db.exec("INSERT INTO fi_server VALUES (1, 100)");
    TableSnapshot before = TableSnapshot.of(f.ds, "fi_server", "id");
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.kind(StatementKind.INSERT))
        .fail(Failures.postgres().lockNotAvailable()));
    DatabaseFailureException e = assertThrows(DatabaseFailureException.class, () -> f.txs.useTransaction(tx -> {
      tx.update("UPDATE fi_server SET v = v - 10 WHERE id = 1");
      tx.update(f.insert(), 2, 10);
    }));
    assertEquals(FailureKind.LOCK_NOT_AVAILABLE, e.kind());
    before.assertUnchanged();
    f.recorder.assertAttempts(1);
    f.recorder.assertRollbackIssuedByLibrary();
    f.recorder.assertNoStatementAfterTransactionFailure();
    f.recorder.assertConnectionStateRestored();
    f.recorder.assertAllClosed();
  }

  @ParameterizedTest
  @MethodSource("servers")
  void injectedDeadlockIsRetriedAndAppliedOnce(TestDb db) {
    on(db);
    f.db.exec("INSERT INTO fi_server VALUES (1, 100)");
    Failure deadlock = db.database() == Database.POSTGRESQL ? Failures.postgres().deadlock()
        : Failures.mariadb().deadlock();
    f.faults.inject(Fault.at(Point.STATEMENT_AFTER).when(Trigger.kind(StatementKind.INSERT), Trigger.attempt(1))
        .fail(deadlock));
    f.txs.useTransaction(tx -> {
      tx.update("UPDATE fi_server SET v = v - 10 WHERE id = 1");
      tx.update(f.insert(), 2, 10);
    });
    assertEquals(90L, f.db.queryLong("SELECT v FROM fi_server WHERE id = 1"), "debited exactly once");
    assertEquals(List.of(1L, 2L), f.ids());
    f.recorder.assertAttempts(2);
    f.recorder.assertRetried(FailureKind.DEADLOCK);
    f.recorder.assertNoStatementAfterTransactionFailure();
    f.recorder.assertConnectionStateRestored();
  }

  // ---- MariaDB's statement-only lock timeout ---------------------------------------------------------------

  @Test
  void mariadbLockTimeoutLeavesTheTransactionOpenAsTheServerDoes() throws SQLException {
    on(TestDatabases.mariadb());
    f.db.exec("INSERT INTO fi_server VALUES (9, 9)");
    List<String> real;
    try (Connection holder = f.db.connect(); Connection c = f.db.connect()) {
      holder.setAutoCommit(false);
      script(holder, "UPDATE fi_server SET v = 10 WHERE id = 9");
      c.setAutoCommit(false);
      script(c, "SET SESSION innodb_lock_wait_timeout = 1");
      real = script(c, "INSERT INTO fi_server VALUES (1, 1)", "UPDATE fi_server SET v = 11 WHERE id = 9",
          "INSERT INTO fi_server VALUES (3, 3)");
      c.commit();
      holder.rollback();
    }
    List<Long> realRows = f.ids();
    f.db.exec("DELETE FROM fi_server WHERE id <> 9");

    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.kind(StatementKind.UPDATE))
        .fail(Failures.mariadb().lockTimeout()));
    List<String> emulated;
    try (Connection c = f.ds.getConnection()) {
      c.setAutoCommit(false);
      emulated = script(c, "INSERT INTO fi_server VALUES (1, 1)", "UPDATE fi_server SET v = 11 WHERE id = 9",
          "INSERT INTO fi_server VALUES (3, 3)");
      c.commit();
      c.setAutoCommit(true);
    }
    assertEquals(List.of("ok", "HY000", "ok"), real);
    assertEquals(real, emulated);
    assertEquals(List.of(1L, 3L, 9L), realRows, "the real timeout undid only the statement");
    assertEquals(realRows, f.ids());
  }

  @Test
  void mariadbLockTimeoutThroughTxkitRollsBackOrIsRetriedWhenAskedTo() {
    on(TestDatabases.mariadb());
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.kind(StatementKind.INSERT)).nth(2)
        .fail(Failures.mariadb().lockTimeout()));
    DatabaseFailureException e = assertThrows(DatabaseFailureException.class, () -> f.txs.useTransaction(tx -> {
      tx.update(f.insert(), 1, 1);
      tx.update(f.insert(), 2, 2);
    }));
    assertEquals(FailureKind.LOCK_TIMEOUT, e.kind());
    assertEquals(List.of(), f.ids(), "the statement-only failure did not commit the first insert");
    f.recorder.assertRollbackIssuedByLibrary();

    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.kind(StatementKind.INSERT)).nth(2)
        .fail(Failures.mariadb().lockTimeout()));
    TxOptions retrying = TxOptions.builder()
        .retry(RetryPolicy.builder().retryOn(FailureKind.LOCK_TIMEOUT).build()).build();
    f.txs.useTransaction(retrying, tx -> {
      tx.update(f.insert(), 1, 1);
      tx.update(f.insert(), 2, 2);
    });
    assertEquals(List.of(1L, 2L), f.ids());
    f.recorder.assertAttempts(2);
    f.recorder.assertRetried(FailureKind.LOCK_TIMEOUT);
  }

  @Test
  void mariadbCaughtLockTimeoutLeavesTxkitsTransactionOpenAndItCommitsItsEarlierWork() {
    on(TestDatabases.mariadb());
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("FOR UPDATE"))
        .fail(Failures.mariadb().lockTimeout()));
    f.txs.useTransaction(tx -> {
      tx.update(f.insert(), 1, 1);
      DatabaseFailureException e = assertThrows(DatabaseFailureException.class,
          () -> tx.query("SELECT v FROM fi_server WHERE id = 1 FOR UPDATE", rs -> rs.getInt(1)));
      assertEquals(FailureKind.LOCK_TIMEOUT, e.kind());
      tx.update(f.insert(), 3, 3); // only the statement was undone: the transaction goes on
    });
    assertEquals(List.of(1L, 3L), f.ids());
    f.recorder.assertAttempts(1);
    f.recorder.assertNoStatementAfterTransactionFailure();
  }

  @Test
  void mariadbDeadlockRollsBackAndTheConnectionStaysUsable() throws SQLException {
    on(TestDatabases.mariadb());
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("(2, 2)"))
        .fail(Failures.mariadb().deadlock()));
    try (Connection c = f.ds.getConnection()) {
      c.setAutoCommit(false);
      assertEquals(List.of("ok", "40001", "ok"), script(c, "INSERT INTO fi_server VALUES (1, 1)",
          "INSERT INTO fi_server VALUES (2, 2)", "INSERT INTO fi_server VALUES (3, 3)"));
      c.commit();
      c.setAutoCommit(true);
    }
    assertEquals(List.of(3L), f.ids(), "the server rolled back the first insert; the third ran in a new transaction");
    assertThrows(AssertionError.class, f.recorder::assertNoStatementAfterTransactionFailure);
  }

  // ---- dropped connections and lost commit replies ---------------------------------------------------------

  @ParameterizedTest
  @MethodSource("servers")
  void droppedConnectionReallyEndsTheServerSession(TestDb db) throws SQLException {
    on(db);
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("SELECT 2")).dropConnection());
    Connection c = f.ds.getConnection();
    c.setAutoCommit(false);
    assertEquals(List.of("ok"), script(c, "INSERT INTO fi_server VALUES (1, 1)"));
    List<String> states = script(c, "SELECT 2", "SELECT 3");
    c.close();
    if (db.database() == Database.POSTGRESQL) {
      assertEquals(List.of("08006", "08003"), states);
    } else {
      assertEquals(List.of("08000", "08000"), states);
    }
    // the uncommitted insert and its lock are gone: another session inserts the same key at once
    try (Connection other = db.connect()) {
      script(other, db.database() == Database.POSTGRESQL ? "SET lock_timeout = '5s'"
          : "SET SESSION innodb_lock_wait_timeout = 5");
      assertEquals(List.of("ok"), script(other, "INSERT INTO fi_server VALUES (1, 2)"));
    }
    assertEquals(2L, db.queryLong("SELECT v FROM fi_server WHERE id = 1"));
  }

  @ParameterizedTest
  @MethodSource("servers")
  void commitAfterIsCommittedAndCommitBeforeIsNotButBothAreUnknownToTheCaller(TestDb db) {
    on(db);
    f.faults.inject(Fault.at(Point.COMMIT_AFTER).dropConnection());
    assertThrows(CommitOutcomeUnknownException.class, () -> f.txs.useTransaction(tx -> tx.update(f.insert(), 1, 1)));
    assertEquals(List.of(1L), f.ids(), "committed although the caller saw an error");
    assertTrue(f.recorder.firedFaults().get(0).applied());

    f.faults.inject(Fault.at(Point.COMMIT_BEFORE).dropConnection());
    assertThrows(CommitOutcomeUnknownException.class, () -> f.txs.useTransaction(tx -> tx.update(f.insert(), 2, 2)));
    assertEquals(List.of(1L), f.ids(), "not committed");
    f.recorder.assertAllClosed();
  }

  @Test
  void postgresResolverFindsOutWhatReallyHappened() {
    on(TestDatabases.postgres());
    Transactions resolving = f.ds.transactions().resolveCommitOutcome(true).sleeper(f.sleeper).build();
    f.faults.inject(Fault.at(Point.COMMIT_AFTER).dropConnection());
    resolving.useTransaction(tx -> tx.update(f.insert(), 1, 1));
    f.recorder.assertAttempts(1);
    assertEquals(List.of(1L), f.ids(), "committed, and the resolver knew it");

    f.faults.inject(Fault.at(Point.COMMIT_BEFORE).dropConnection());
    resolving.useTransaction(tx -> tx.update(f.insert(), 2, 2));
    f.recorder.assertAttempts(2);
    f.recorder.assertRetried(FailureKind.CONNECTION_LOST);
    assertEquals(List.of(1L, 2L), f.ids(), "aborted, so retried: applied exactly once");
  }
}
