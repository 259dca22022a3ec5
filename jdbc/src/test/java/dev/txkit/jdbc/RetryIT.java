package dev.txkit.jdbc;

import static dev.txkit.jdbc.RtKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.CompletionStatus;
import dev.txkit.ConstraintViolationException;
import dev.txkit.DeadlockException;
import dev.txkit.FailureKind;
import dev.txkit.Isolation;
import dev.txkit.Propagation;
import dev.txkit.RetryEvent;
import dev.txkit.RetryPolicy;
import dev.txkit.SerializationFailureException;
import dev.txkit.TxOptions;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retries of real transaction-scope failures produced by concurrent sessions: PostgreSQL SSI write skew (40001
 * at a statement and at COMMIT), opposite-order deadlocks (PostgreSQL 40P01, MariaDB 1213, H2 40001), and what
 * is not retried.
 */
class RetryIT {

  private static final ExecutorService POOL = Executors.newCachedThreadPool();

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  static List<TestDatabases.TestDb> all() {
    return TestDatabases.all();
  }

  // ---- PostgreSQL SERIALIZABLE write skew -----------------------------------------------------------------

  /** Each transaction reads the sum of all values and inserts its own row with sum + 1: write skew under SSI. */
  private static int skew(Tx tx, String me) {
    int sum = tx.queryOne("SELECT COALESCE(SUM(v), 0) FROM rt_retry_skew", Integer.class);
    tx.update("INSERT INTO rt_retry_skew(k, v) VALUES (?, ?)", me, sum + 1);
    return sum + 1;
  }

  @Test
  void postgresWriteSkewFailingAtAStatementIsRetried() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("rt_retry_skew", "k VARCHAR(10) PRIMARY KEY, v INT NOT NULL");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    TxOptions t1 = TxOptions.builder().isolation(Isolation.SERIALIZABLE).name("t1").build();
    TxOptions t2 = TxOptions.builder().isolation(Isolation.SERIALIZABLE).name("t2").build();
    CountDownLatch t1Read = new CountDownLatch(1);
    CountDownLatch t2Read = new CountDownLatch(1);
    CountDownLatch t1Committed = new CountDownLatch(1);

    Future<Integer> first = POOL.submit(() -> {
      int v = txs.inTransaction(t1, tx -> {
        int sum = tx.queryOne("SELECT COALESCE(SUM(v), 0) FROM rt_retry_skew", Integer.class);
        t1Read.countDown();
        await(t2Read);
        tx.update("INSERT INTO rt_retry_skew(k, v) VALUES (?, ?)", "t1", sum + 1);
        return sum + 1;
      });
      t1Committed.countDown();
      return v;
    });
    int second = txs.inTransaction(t2, tx -> {
      if (tx.attempt() == 1) {
        int sum = tx.queryOne("SELECT COALESCE(SUM(v), 0) FROM rt_retry_skew", Integer.class);
        t2Read.countDown();
        await(t1Read);
        await(t1Committed);
        // t1 read what we are about to write and committed first: this write makes us a doomed pivot
        tx.update("INSERT INTO rt_retry_skew(k, v) VALUES (?, ?)", "t2", sum + 1);
        return sum + 1;
      }
      return skew(tx, "t2");
    });

    assertEquals(1, first.get(20, TimeUnit.SECONDS));
    assertEquals(2, second, "the retry saw t1's row");
    assertEquals(1, rec.attempts("t1"));
    assertEquals(2, rec.attempts("t2"));
    assertEquals(1, rec.retries.size());
    RetryEvent r = rec.retries.get(0);
    assertEquals(FailureKind.SERIALIZATION_FAILURE, r.classification().kind());
    SerializationFailureException e = assertInstanceOf(SerializationFailureException.class, r.failure());
    assertEquals("40001", e.sqlState());
    assertTrue(e.getMessage().startsWith("update failed"), e.getMessage());
    assertEquals(List.of(1L, 2L), db.queryLongs("SELECT v FROM rt_retry_skew ORDER BY k"));
  }

  @Test
  void postgresWriteSkewFailingAtCommitIsRetried() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("rt_retry_skew", "k VARCHAR(10) PRIMARY KEY, v INT NOT NULL");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    TxOptions t1 = TxOptions.builder().isolation(Isolation.SERIALIZABLE).name("t1").build();
    TxOptions t2 = TxOptions.builder().isolation(Isolation.SERIALIZABLE).name("t2").build();
    CountDownLatch t2Read = new CountDownLatch(1);
    CountDownLatch t1Wrote = new CountDownLatch(1);
    CountDownLatch t2Wrote = new CountDownLatch(1);
    CountDownLatch t1Committed = new CountDownLatch(1);
    List<String> hooks = Collections.synchronizedList(new ArrayList<>());

    Future<Integer> first = POOL.submit(() -> {
      int v = txs.inTransaction(t1, tx -> {
        await(t2Read);
        int r = skew(tx, "t1");
        t1Wrote.countDown();
        await(t2Wrote);
        return r;
      });
      t1Committed.countDown();
      return v;
    });
    int second = txs.inTransaction(t2, tx -> {
      int attempt = tx.attempt();
      tx.afterCommit(() -> hooks.add("commit@" + attempt));
      tx.afterRollback(() -> hooks.add("rollback@" + attempt));
      tx.afterCompletion(s -> hooks.add(s + "@" + attempt));
      if (attempt == 1) {
        int sum = tx.queryOne("SELECT COALESCE(SUM(v), 0) FROM rt_retry_skew", Integer.class);
        t2Read.countDown();
        await(t1Wrote);
        tx.update("INSERT INTO rt_retry_skew(k, v) VALUES (?, ?)", "t2", sum + 1);
        t2Wrote.countDown();
        await(t1Committed);
        return sum + 1; // the COMMIT of this attempt fails with 40001
      }
      return skew(tx, "t2");
    });

    assertEquals(1, first.get(20, TimeUnit.SECONDS));
    assertEquals(2, second);
    assertEquals(1, rec.attempts("t1"));
    assertEquals(2, rec.attempts("t2"));
    RetryEvent r = rec.retries.get(0);
    SerializationFailureException e = assertInstanceOf(SerializationFailureException.class, r.failure());
    assertEquals("40001", e.sqlState());
    assertTrue(e.getMessage().startsWith("Commit failed"), e.getMessage());
    assertEquals(List.of(1L, 2L), db.queryLongs("SELECT v FROM rt_retry_skew ORDER BY k"));
    assertEquals(List.of("commit@2", "COMMITTED@2"), hooks, "the failed attempt's hooks are discarded");
  }

  // ---- opposite-order deadlocks on every database ---------------------------------------------------------

  private static DataSource deadlockPool(TestDatabases.TestDb db, List<HikariDataSource> toClose) {
    if (db.database() == Database.POSTGRESQL) {
      HikariDataSource ds = RtKit.pool(db, 4, RtKit.PG_FAST_DEADLOCKS);
      toClose.add(ds);
      return ds;
    }
    return db.dataSource();
  }

  @ParameterizedTest
  @MethodSource("all")
  void oppositeOrderDeadlockVictimIsRetriedAndBothApplyOnce(TestDatabases.TestDb db) throws Exception {
    db.createTable("rt_retry_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_retry_acct VALUES (1, 0), (2, 0)");
    List<HikariDataSource> pools = new ArrayList<>();
    try {
      RtKit.Recorder rec = new RtKit.Recorder();
      Transactions txs = Transactions.builder(deadlockPool(db, pools)).listener(rec).build();
      CountDownLatch aLocked = new CountDownLatch(1);
      CountDownLatch bLocked = new CountDownLatch(1);
      Future<?> t1 = POOL.submit(() -> txs.useTransaction(TxOptions.builder().name("t1").build(), tx -> {
        tx.updateOne("UPDATE rt_retry_acct SET v = v + 1 WHERE id = 1");
        if (tx.attempt() == 1) {
          aLocked.countDown();
          await(bLocked);
        }
        tx.updateOne("UPDATE rt_retry_acct SET v = v + 1 WHERE id = 2");
      }));
      txs.useTransaction(TxOptions.builder().name("t2").build(), tx -> {
        tx.updateOne("UPDATE rt_retry_acct SET v = v + 10 WHERE id = 2");
        if (tx.attempt() == 1) {
          bLocked.countDown();
          await(aLocked);
        }
        tx.updateOne("UPDATE rt_retry_acct SET v = v + 10 WHERE id = 1");
      });
      t1.get(30, TimeUnit.SECONDS);

      assertEquals(3, rec.attempts("t1") + rec.attempts("t2"), "exactly one of the two was retried, once: " + rec.retries);
      assertEquals(1, rec.retries.size());
      RetryEvent r = rec.retries.get(0);
      assertEquals(FailureKind.DEADLOCK, r.classification().kind());
      DeadlockException e = assertInstanceOf(DeadlockException.class, r.failure());
      switch (db.database()) {
        case POSTGRESQL -> assertEquals("40P01", e.sqlState());
        case MARIADB -> assertEquals(1213, e.sqlException().getErrorCode());
        default -> assertEquals("40001", e.sqlState());
      }
      assertEquals(List.of(11L, 11L), db.queryLongs("SELECT v FROM rt_retry_acct ORDER BY id"));
    } finally {
      pools.forEach(HikariDataSource::close);
    }
  }

  // ---- what is not retried, and who retries ---------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("all")
  void constraintViolationIsNotRetried(TestDatabases.TestDb db) {
    db.createTable("rt_retry_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_retry_acct VALUES (1, 0)");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    assertThrows(ConstraintViolationException.class, () -> txs.useTransaction(TxOptions.builder().name("dup")
        .build(), tx -> {
          tx.update("INSERT INTO rt_retry_acct VALUES (2, 0)");
          tx.update("INSERT INTO rt_retry_acct VALUES (1, 0)");
        }));
    assertEquals(1, rec.attempts("dup"));
    assertTrue(rec.retries.isEmpty());
    assertEquals(List.of(1L), db.queryLongs("SELECT id FROM rt_retry_acct ORDER BY id"), "rolled back");
  }

  /**
   * A REPEATABLE READ transaction on PostgreSQL that reads row 1, lets another session update and commit it,
   * then updates it itself: 40001 "could not serialize access due to concurrent update", on every attempt that
   * the other session interferes with.
   */
  private static void conflictingUpdate(Tx tx, Connection other, boolean interfere) throws SQLException {
    tx.queryOne("SELECT v FROM rt_retry_acct WHERE id = 1", Integer.class); // takes the snapshot
    if (interfere) {
      RtKit.exec(other, "UPDATE rt_retry_acct SET v = v + 100 WHERE id = 1");
    }
    tx.updateOne("UPDATE rt_retry_acct SET v = v + 1 WHERE id = 1");
  }

  @Test
  void onlyTheOutermostRetriesAndEachAttemptTakesAFreshConnection() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("rt_retry_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_retry_acct VALUES (1, 0)");
    List<String> trace = Collections.synchronizedList(new ArrayList<>());
    DataSource traced = tracing(db.dataSource(), trace);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(traced).listener(rec).build();
    AtomicInteger innerRuns = new AtomicInteger();
    try (Connection other = db.connect()) {
      int result = txs.inTransaction(TxOptions.builder().isolation(Isolation.REPEATABLE_READ).name("outer").build(),
          tx -> {
            int attempt = tx.attempt();
            trace.add("attempt " + attempt);
            tx.queryOne("SELECT v FROM rt_retry_acct WHERE id = 1", Integer.class);
            if (attempt == 1) {
              RtKit.exec(other, "UPDATE rt_retry_acct SET v = v + 100 WHERE id = 1");
            }
            txs.useTransaction(TxOptions.builder().propagation(Propagation.NESTED).name("inner")
                .retry(RetryPolicy.builder().withMaxAttempts(5).build()).build(), inner -> {
                  innerRuns.incrementAndGet();
                  inner.updateOne("UPDATE rt_retry_acct SET v = v + 1 WHERE id = 1");
                });
            return attempt;
          });
      assertEquals(2, result);
    }
    assertEquals(2, innerRuns.get(), "the nested block ran once per outer attempt: it does not loop itself");
    assertEquals(2, rec.attempts("outer"));
    assertEquals(0, rec.attempts("inner"), "a nested block is not an attempt of its own");
    assertEquals(List.of("getConnection#1", "attempt 1", "close#1", "getConnection#2", "attempt 2", "close#2"),
        trace, "each attempt takes its own connection and returns the previous one first");
    assertEquals(101L, db.queryLong("SELECT v FROM rt_retry_acct WHERE id = 1"));
  }

  private static DataSource tracing(DataSource ds, List<String> trace) {
    AtomicInteger n = new AtomicInteger();
    return (DataSource) Proxy.newProxyInstance(RetryIT.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (p, m, args) -> {
          Object r = m.invoke(ds, args);
          if (m.getName().equals("getConnection")) {
            int id = n.incrementAndGet();
            trace.add("getConnection#" + id);
            Connection c = (Connection) r;
            return Proxy.newProxyInstance(RetryIT.class.getClassLoader(), new Class<?>[] {Connection.class},
                (p2, m2, a2) -> {
                  if (m2.getName().equals("close")) {
                    trace.add("close#" + id);
                  }
                  try {
                    return m2.invoke(c, a2);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
          }
          return r;
        });
  }

  // ---- giving up --------------------------------------------------------------------------------------------

  @Test
  void withOneAttemptTheCallerSeesTheTypedFailure() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("rt_retry_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_retry_acct VALUES (1, 0)");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    TxOptions once = TxOptions.builder().isolation(Isolation.REPEATABLE_READ).name("once")
        .retry(RetryPolicy.builder().withMaxAttempts(1).build()).build();
    try (Connection other = db.connect()) {
      SerializationFailureException e = assertThrows(SerializationFailureException.class,
          () -> txs.useTransaction(once, tx -> conflictingUpdate(tx, other, true)));
      assertEquals("40001", e.sqlState());
      assertEquals(1, rec.attempts("once"));
      assertEquals(1, rec.giveUps.size());

      // the same through raw JDBC: the caller sees the driver's own SQLException, unchanged
      SQLException raw = assertThrows(SQLException.class, () -> txs.useTransaction(once, tx -> {
        Connection c = tx.connection();
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM rt_retry_acct WHERE id = 1")) {
          ps.executeQuery().close();
        }
        RtKit.exec(other, "UPDATE rt_retry_acct SET v = v + 100 WHERE id = 1");
        try (PreparedStatement ps = c.prepareStatement("UPDATE rt_retry_acct SET v = v + 1 WHERE id = 1")) {
          ps.executeUpdate();
        }
      }));
      assertEquals("40001", raw.getSQLState());
      assertEquals(2, rec.attempts("once"));
    }
    assertEquals(200L, db.queryLong("SELECT v FROM rt_retry_acct WHERE id = 1"), "only the other session's work");
  }

  @Test
  void withOneAttemptADeadlockVictimSeesDeadlockException() throws Exception {
    TestDatabases.TestDb db = TestDatabases.mariadb();
    db.createTable("rt_retry_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_retry_acct VALUES (1, 0), (2, 0)");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    TxOptions once = TxOptions.builder().name("once").retry(RetryPolicy.builder().withMaxAttempts(1).build())
        .build();
    CountDownLatch aLocked = new CountDownLatch(1);
    CountDownLatch bLocked = new CountDownLatch(1);
    Future<Throwable> t1 = POOL.submit(() -> {
      try {
        txs.useTransaction(once, tx -> {
          tx.updateOne("UPDATE rt_retry_acct SET v = v + 1 WHERE id = 1");
          aLocked.countDown();
          await(bLocked);
          tx.updateOne("UPDATE rt_retry_acct SET v = v + 1 WHERE id = 2");
        });
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    Throwable e2 = null;
    try {
      txs.useTransaction(once, tx -> {
        tx.updateOne("UPDATE rt_retry_acct SET v = v + 10 WHERE id = 2");
        bLocked.countDown();
        await(aLocked);
        tx.updateOne("UPDATE rt_retry_acct SET v = v + 10 WHERE id = 1");
      });
    } catch (Throwable e) {
      e2 = e;
    }
    Throwable e1 = t1.get(30, TimeUnit.SECONDS);
    assertTrue((e1 == null) != (e2 == null), "exactly one is the victim: " + e1 + " / " + e2);
    DeadlockException d = assertInstanceOf(DeadlockException.class, e1 != null ? e1 : e2);
    assertEquals(1213, d.sqlException().getErrorCode());
    assertEquals(2, rec.attempts("once"), "nobody retried");
    List<Long> expected = e1 == null ? List.of(1L, 1L) : List.of(10L, 10L);
    assertEquals(expected, db.queryLongs("SELECT v FROM rt_retry_acct ORDER BY id"), "only the winner's work");
  }

  @Test
  void whenAllAttemptsFailTheEarlierFailuresAreSuppressed() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("rt_retry_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_retry_acct VALUES (1, 0)");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    TxOptions twice = TxOptions.builder().isolation(Isolation.REPEATABLE_READ).name("twice")
        .retry(RetryPolicy.builder().withMaxAttempts(2).build()).build();
    List<CompletionStatus> completions = Collections.synchronizedList(new ArrayList<>());
    try (Connection other = db.connect()) {
      SerializationFailureException e = assertThrows(SerializationFailureException.class,
          () -> txs.useTransaction(twice, tx -> {
            tx.afterCompletion(completions::add);
            conflictingUpdate(tx, other, true);
          }));
      assertEquals(2, rec.attempts("twice"));
      assertEquals(1, e.getSuppressed().length, "the first attempt's failure is attached");
      SerializationFailureException first = assertInstanceOf(SerializationFailureException.class,
          e.getSuppressed()[0]);
      assertEquals("40001", first.sqlState());
      assertEquals(List.of(CompletionStatus.ROLLED_BACK), completions, "only the last attempt's hooks run");
    }
    assertEquals(200L, db.queryLong("SELECT v FROM rt_retry_acct WHERE id = 1"));
  }
}
