package dev.txkit.jdbc;

import static dev.txkit.jdbc.RtKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.ConstraintViolationException;
import dev.txkit.DeadlockException;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.LockFailureException;
import dev.txkit.RetryPolicy;
import dev.txkit.TransactionAbortedException;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Doomed attempts: user code that catches a transaction-scope failure and carries on must never get any of the
 * doomed attempt's work committed (MariaDB and H2 silently start a new transaction after a deadlock), and
 * statement-scope lock timeouts (MariaDB 1205, PostgreSQL 55P03) leave the transaction open but are rolled back
 * whole when they reach txkit.
 */
class DoomedAttemptIT {

  private static final ExecutorService POOL = Executors.newCachedThreadPool();

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  private static void setUp(TestDatabases.TestDb db) {
    db.createTable("rt_doom_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.createTable("rt_doom_heavy", "id INT PRIMARY KEY");
    db.exec("INSERT INTO rt_doom_acct VALUES (1, 0), (2, 0), (3, 0)");
  }

  /**
   * Another session that locks row 2, then (once our transaction holds row 1 and goes for row 2) updates row 1,
   * which closes a deadlock cycle in which our transaction is the victim, and commits.
   */
  private static final class Other implements AutoCloseable {
    final Connection c;
    final CountDownLatch holdsRow2 = new CountDownLatch(1);
    final CountDownLatch goForRow1 = new CountDownLatch(1);
    final Future<?> done;

    Other(TestDatabases.TestDb db) throws SQLException {
      c = db.connect();
      c.setAutoCommit(false);
      done = POOL.submit(() -> {
        if (db.database() == Database.MARIADB) {
          // InnoDB picks the transaction with less undo as the victim: make this one heavy
          RtKit.exec(c, "INSERT INTO rt_doom_heavy SELECT seq FROM seq_1_to_200");
        }
        RtKit.exec(c, "UPDATE rt_doom_acct SET v = v + 100 WHERE id = 2");
        holdsRow2.countDown();
        await(goForRow1);
        RtKit.exec(c, "UPDATE rt_doom_acct SET v = v + 100 WHERE id = 1");
        c.commit();
        return null;
      });
    }

    @Override
    public void close() throws Exception {
      try {
        done.get(30, TimeUnit.SECONDS);
      } finally {
        c.close();
      }
    }
  }

  /** Two attempts: the doomed one and its retry. */
  private static void assertAttempts(int attempts, RtKit.Recorder rec) {
    assertEquals(2, attempts, "retried: " + rec.retries);
  }

  private static void assertOneExecutionAfterTheOthers(TestDatabases.TestDb db) {
    assertEquals(List.of(101L, 101L, 1L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"),
        "the other session's work plus exactly one execution of ours: nothing of the doomed attempt");
  }

  /** Thrown (and the attempt rolled back) when the database picked the other session as the victim. */
  private static final class OtherWasVictim extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OtherWasVictim() {
      super("the other session was the deadlock victim", null, false, false);
    }
  }

  /**
   * Runs a scenario until our transaction is the deadlock victim: InnoDB picks the lighter transaction, which the
   * other session's extra rows make ours. At most 5 rounds.
   */
  private static void untilWeAreTheVictim(TestDatabases.TestDb db, Scenario scenario) throws Exception {
    for (int round = 1; ; round++) {
      setUp(db);
      try {
        scenario.run();
        return;
      } catch (OtherWasVictim e) {
        if (round == 5) {
          throw new AssertionError("in 5 rounds the database never picked our transaction as the victim", e);
        }
      }
    }
  }

  @FunctionalInterface
  private interface Scenario {
    void run() throws Exception;
  }

  private void catchTheDeadlockAndCarryOn(TestDatabases.TestDb db) throws Exception {
    untilWeAreTheVictim(db, () -> {
      RtKit.Recorder rec = new RtKit.Recorder();
      Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
      List<Throwable> caught = new CopyOnWriteArrayList<>();
      try (Other other = new Other(db)) {
        String result = txs.inTransaction(TxOptions.builder().name("careless").build(), tx -> {
          tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
          if (tx.attempt() == 1) {
            await(other.holdsRow2);
            other.goForRow1.countDown();
            try {
              tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 2");
            } catch (DeadlockException e) {
              caught.add(e); // the trap: carry on as if nothing happened
            }
            if (caught.isEmpty()) {
              throw new OtherWasVictim();
            }
            try {
              tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 3");
            } catch (TransactionAbortedException e) {
              caught.add(e); // and even swallow txkit's refusal
            }
            return "doomed";
          }
          tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 2");
          tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 3");
          return "retried";
        });
        assertEquals("retried", result);
      }
      assertEquals(2, caught.size(), "the deadlock and the refusal of the next statement: " + caught);
      assertInstanceOf(DeadlockException.class, caught.get(0));
      TransactionAbortedException aborted = assertInstanceOf(TransactionAbortedException.class, caught.get(1));
      assertTrue(aborted.getCause() == caught.get(0), "the refusal names the deadlock as its cause");
      assertAttempts(rec.attempts("careless"), rec);
      assertEquals(FailureKind.DEADLOCK, rec.retries.get(0).classification().kind());
      assertOneExecutionAfterTheOthers(db);
    });
  }

  @Test
  void mariadbCatchingTheDeadlockCommitsNothingOfTheDoomedAttempt() throws Exception {
    catchTheDeadlockAndCarryOn(TestDatabases.mariadb());
  }

  @Test
  void h2CatchingTheDeadlockCommitsNothingOfTheDoomedAttempt() throws Exception {
    h2BothCareless(false);
  }

  /**
   * H2 picks its deadlock victim by timing (committing or closing any session wakes its lock waiters, and the
   * woken one may find the cycle first), so on H2 both sides of the deadlock are careless txkit transactions:
   * each locks its first row, meets the other at a barrier, goes for the other's row, and if it is the victim
   * catches the failure and carries on with a third update. Whichever is the victim, nothing of its doomed
   * attempt may be committed: every row ends incremented exactly once per transaction.
   */
  private static void h2BothCareless(boolean raw) throws Exception {
    TestDatabases.TestDb db = TestDatabases.h2();
    setUp(db);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    CyclicBarrier bothHoldTheirFirstRow = new CyclicBarrier(2);
    List<Throwable> caught = new CopyOnWriteArrayList<>();
    Future<?> a = POOL.submit(() -> careless(txs, 1, 2, raw, bothHoldTheirFirstRow, caught));
    Future<?> b = POOL.submit(() -> careless(txs, 2, 1, raw, bothHoldTheirFirstRow, caught));
    a.get(30, TimeUnit.SECONDS);
    b.get(30, TimeUnit.SECONDS);
    assertTrue(rec.attempts("careless") >= 3, "the victim was retried: " + rec.retries);
    assertEquals(FailureKind.DEADLOCK, rec.retries.get(0).classification().kind());
    assertTrue(caught.size() >= 1, "one transaction was the deadlock victim and carried on: " + caught);
    if (raw) {
      assertEquals("40001", ((SQLException) caught.get(0)).getSQLState());
      assertInstanceOf(TransactionAbortedException.class, rec.retries.get(0).failure(),
          "the retried failure is the refusal of the statement after the swallowed deadlock");
    } else {
      assertInstanceOf(DeadlockException.class, caught.get(0));
      assertInstanceOf(TransactionAbortedException.class, caught.get(1), "the next statement was refused");
    }
    assertEquals(List.of(2L, 2L, 2L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"),
        "each transaction's work exactly once: nothing of the doomed attempt was committed");
  }

  private static Void careless(Transactions txs, int first, int second, boolean raw, CyclicBarrier barrier,
      List<Throwable> caught) throws Exception {
    txs.useTransaction(TxOptions.builder().name("careless").build(), tx -> {
      increment(tx, raw, first);
      if (tx.attempt() == 1) {
        barrier.await(20, TimeUnit.SECONDS);
      }
      try {
        increment(tx, raw, second);
      } catch (DeadlockException | SQLException e) {
        caught.add(e); // the trap: carry on as if nothing happened
        if (!raw) {
          try {
            increment(tx, false, 3);
          } catch (TransactionAbortedException aborted) {
            caught.add(aborted); // and even swallow txkit's refusal
          }
          return;
        }
      }
      increment(tx, raw, 3);
    });
    return null;
  }

  private static void increment(Tx tx, boolean raw, int id) throws SQLException {
    if (!raw) {
      tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = ?", id);
      return;
    }
    try (PreparedStatement ps = tx.connection().prepareStatement("UPDATE rt_doom_acct SET v = v + 1 WHERE id = ?")) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
  }

  private void catchTheSqlExceptionOnRawJdbc(TestDatabases.TestDb db) throws Exception {
    untilWeAreTheVictim(db, () -> {
      RtKit.Recorder rec = new RtKit.Recorder();
      Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
      List<SQLException> caught = new CopyOnWriteArrayList<>();
      try (Other other = new Other(db)) {
        txs.useTransaction(TxOptions.builder().name("raw").build(), tx -> {
          Connection c = tx.connection();
          try (PreparedStatement ps = c.prepareStatement("UPDATE rt_doom_acct SET v = v + 1 WHERE id = ?")) {
            ps.setInt(1, 1);
            ps.executeUpdate();
            if (tx.attempt() == 1) {
              await(other.holdsRow2);
              other.goForRow1.countDown();
            }
            ps.setInt(1, 2);
            try {
              ps.executeUpdate();
            } catch (SQLException e) {
              caught.add(e); // carry on: the next statement is refused with TransactionAbortedException
            }
            if (tx.attempt() == 1 && caught.isEmpty()) {
              throw new OtherWasVictim();
            }
            ps.setInt(1, 3);
            ps.executeUpdate();
          }
        });
      }
      assertEquals(1, caught.size());
      assertEquals("40001", caught.get(0).getSQLState());
      assertAttempts(rec.attempts("raw"), rec);
      assertInstanceOf(TransactionAbortedException.class, rec.retries.get(0).failure(),
          "the retried failure is the refusal of the statement after the swallowed deadlock");
      assertEquals(FailureKind.DEADLOCK, rec.retries.get(0).classification().kind());
      assertOneExecutionAfterTheOthers(db);
    });
  }

  @Test
  void mariadbSwallowingTheDeadlockOnRawJdbcCommitsNothingOfTheDoomedAttempt() throws Exception {
    catchTheSqlExceptionOnRawJdbc(TestDatabases.mariadb());
  }

  @Test
  void h2SwallowingTheDeadlockOnRawJdbcCommitsNothingOfTheDoomedAttempt() throws Exception {
    h2BothCareless(true);
  }

  // ---- statement-scope lock timeouts ------------------------------------------------------------------------

  /** A session that holds the lock on row 2 until released. */
  private static Connection holdRow2(TestDatabases.TestDb db) throws SQLException {
    Connection c = db.connect();
    c.setAutoCommit(false);
    RtKit.exec(c, "UPDATE rt_doom_acct SET v = v + 100 WHERE id = 2");
    return c;
  }

  private static void release(Connection holder) {
    try {
      holder.rollback();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void mariadbLockWaitTimeoutIsStatementScoped() throws Exception {
    TestDatabases.TestDb db = TestDatabases.mariadb();
    setUp(db);
    try (HikariDataSource ds = RtKit.pool(db, 2, "SET SESSION innodb_lock_wait_timeout = 1");
        Connection holder = holdRow2(db)) {
      RtKit.Recorder rec = new RtKit.Recorder();
      Transactions txs = Transactions.builder(ds).listener(rec).build();

      // caught in the callback: only the statement failed, the transaction goes on and commits the rest
      List<LockFailureException> caught = new CopyOnWriteArrayList<>();
      txs.useTransaction(TxOptions.builder().name("handled").build(), tx -> {
        tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
        try {
          tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 2");
        } catch (LockFailureException e) {
          caught.add(e);
        }
        tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 3");
      });
      assertEquals(1, caught.size());
      assertEquals(FailureKind.LOCK_TIMEOUT, caught.get(0).kind());
      assertEquals(FailureScope.STATEMENT, caught.get(0).scope());
      assertEquals(1205, caught.get(0).sqlException().getErrorCode());
      assertEquals(1, rec.attempts("handled"));
      assertEquals(List.of(1L, 0L, 1L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"));

      // reaching txkit: the whole transaction rolls back (the first half too), and it is not retried by default
      LockFailureException e = assertThrows(LockFailureException.class,
          () -> txs.useTransaction(TxOptions.builder().name("default").build(), tx -> {
            tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
            tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 2");
          }));
      assertEquals(FailureKind.LOCK_TIMEOUT, e.kind());
      assertEquals(1, rec.attempts("default"));
      assertEquals(List.of(1L, 0L, 1L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"),
          "the first half was rolled back, not committed");

      // opted in: retried; the holder lets go before the retry
      TxOptions optIn = TxOptions.builder().name("optIn").retry(RetryPolicy.builder()
          .retryOn(FailureKind.LOCK_TIMEOUT).onRetry(r -> release(holder)).build()).build();
      txs.useTransaction(optIn, tx -> {
        tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
        tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 2");
      });
      assertEquals(2, rec.attempts("optIn"));
      assertEquals(FailureKind.LOCK_TIMEOUT, rec.retries.get(0).classification().kind());
      assertEquals(List.of(2L, 1L, 1L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"));
    }
  }

  @Test
  void postgresLockTimeoutRollsBackAndIsRetriedOnlyWhenOptedIn() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    setUp(db);
    try (Connection holder = holdRow2(db)) {
      RtKit.Recorder rec = new RtKit.Recorder();
      Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
      LockFailureException e = assertThrows(LockFailureException.class,
          () -> txs.useTransaction(TxOptions.builder().name("default").build(), tx -> {
            tx.update("SET LOCAL lock_timeout = '100ms'");
            tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
            tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 2");
          }));
      assertEquals("55P03", e.sqlState());
      assertEquals(FailureKind.LOCK_TIMEOUT, e.kind());
      assertEquals(FailureScope.STATEMENT, e.scope());
      assertEquals(1, rec.attempts("default"));
      assertEquals(List.of(0L, 0L, 0L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"));

      TxOptions optIn = TxOptions.builder().name("optIn").retry(RetryPolicy.builder()
          .retryOn(FailureKind.LOCK_TIMEOUT).onRetry(r -> release(holder)).build()).build();
      txs.useTransaction(optIn, tx -> {
        tx.update("SET LOCAL lock_timeout = '100ms'");
        tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
        tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 2");
      });
      assertEquals(2, rec.attempts("optIn"));
      assertEquals(List.of(1L, 1L, 0L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"));
    }
  }

  // ---- PostgreSQL: a caught statement failure leaves the transaction aborted ---------------------------------

  @Test
  void postgresCaughtStatementFailureIsNotReportedAsACommit() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    setUp(db);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    List<String> hooks = new CopyOnWriteArrayList<>();

    // PostgreSQL answers COMMIT with ROLLBACK after a failed statement; pgjdbc does not complain by default
    ConstraintViolationException e = assertThrows(ConstraintViolationException.class,
        () -> txs.useTransaction(TxOptions.builder().name("caught").build(), tx -> {
          tx.afterCommit(() -> hooks.add("committed"));
          tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
          try {
            tx.update("INSERT INTO rt_doom_acct VALUES (2, 0)");
          } catch (ConstraintViolationException dup) {
            // carry on as if the insert were optional
          }
        }));
    assertTrue(e.getMessage().startsWith("Commit failed"), e.getMessage());
    assertEquals(1, rec.attempts("caught"));
    assertEquals(0, rec.commits("caught"));
    assertEquals(List.of(), hooks, "no after-commit hook for a transaction that did not commit");

    // the same through raw JDBC
    assertThrows(ConstraintViolationException.class,
        () -> txs.useTransaction(TxOptions.builder().name("raw").build(), tx -> {
          Connection c = tx.connection();
          RtKit.exec(c, "UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
          try {
            RtKit.exec(c, "INSERT INTO rt_doom_acct VALUES (2, 0)");
          } catch (SQLException dup) {
            assertEquals("23505", dup.getSQLState());
          }
        }));
    assertEquals(List.of(0L, 0L, 0L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"));

    // a nested block (a savepoint) is the way to survive a failed statement: that still commits
    txs.useTransaction(TxOptions.builder().name("nested").build(), tx -> {
      tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 1");
      try {
        txs.useTransaction(inner -> inner.update("INSERT INTO rt_doom_acct VALUES (2, 0)"));
      } catch (ConstraintViolationException dup) {
        // rolled back to the savepoint: the transaction goes on
      }
      tx.updateOne("UPDATE rt_doom_acct SET v = v + 1 WHERE id = 3");
    });
    assertEquals(1, rec.commits("nested"));
    assertEquals(List.of(1L, 0L, 1L), db.queryLongs("SELECT v FROM rt_doom_acct ORDER BY id"));
  }
}
