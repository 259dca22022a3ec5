package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.FailureKind;
import dev.txkit.GiveUpEvent;
import dev.txkit.Isolation;
import dev.txkit.RetryEvent;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Random transfers by 8 threads on 10 accounts with the default retry policy: money is conserved, no balance
 * goes negative, no retryable failure reaches a caller before the policy's 10 attempts are spent. Then the deadlocks the servers count for the same
 * workload updating two rows in random order, without and with {@code tx.lockRows} first.
 */
class ContentionIT {

  private static final int THREADS = 8;
  private static final int ACCOUNTS = 10;
  private static final long INITIAL = 1_000;
  private static final Duration RUN = Duration.ofSeconds(2);
  private static final Duration DEADLOCK_RUN = Duration.ofMillis(1500);

  /** What one workload run saw. */
  private static final class Outcome {
    final AtomicLong committed = new AtomicLong();
    final List<Throwable> escaped = new CopyOnWriteArrayList<>();
    final RtKit.Recorder rec = new RtKit.Recorder();

    Map<FailureKind, Integer> retriesByKind() {
      Map<FailureKind, Integer> m = new EnumMap<>(FailureKind.class);
      for (RetryEvent r : rec.retries) {
        m.merge(r.classification().kind(), 1, Integer::sum);
      }
      return m;
    }

    long deadlocksSeen() {
      return rec.retries.stream().filter(r -> r.classification().kind() == FailureKind.DEADLOCK).count()
          + rec.giveUps.stream().filter(g -> g.classification().kind() == FailureKind.DEADLOCK).count();
    }
  }

  /** One unit of work on two distinct random accounts. */
  @FunctionalInterface
  private interface Work {
    void run(Tx tx, int from, int to, int amount);
  }

  private static Outcome run(HikariDataSource ds, TxOptions options, Duration duration, Work work)
      throws Exception {
    Outcome out = new Outcome();
    Transactions txs = Transactions.builder(ds).listener(out.rec).build();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        fs.add(pool.submit(() -> {
          RtKit.await(start);
          long end = System.nanoTime() + duration.toNanos();
          ThreadLocalRandom r = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            int from = 1 + r.nextInt(ACCOUNTS);
            int to = 1 + (from + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            int amount = 1 + r.nextInt(100);
            try {
              txs.useTransaction(options, tx -> work.run(tx, from, to, amount));
              out.committed.incrementAndGet();
            } catch (RuntimeException e) {
              out.escaped.add(e);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  private static HikariDataSource pool(TestDatabases.TestDb db, String initSql) {
    db.requireReachable();
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(db.url());
    c.setMaximumPoolSize(THREADS);
    c.setMinimumIdle(0);
    c.setConnectionTimeout(10_000);
    c.setPoolName("rt-contention");
    if (initSql != null) {
      c.setConnectionInitSql(initSql);
    }
    if (db.database() == Database.POSTGRESQL) {
      c.addDataSourceProperty("ApplicationName", "rt_contention");
    }
    return new HikariDataSource(c);
  }

  private static void createAccounts(TestDatabases.TestDb db) {
    db.createTable("rt_cont_acct", "id INT PRIMARY KEY, balance BIGINT NOT NULL");
    StringBuilder sb = new StringBuilder("INSERT INTO rt_cont_acct VALUES ");
    for (int i = 1; i <= ACCOUNTS; i++) {
      sb.append(i == 1 ? "" : ", ").append('(').append(i).append(", ").append(INITIAL).append(')');
    }
    db.exec(sb.toString());
  }

  /** A transfer that never overdraws: the debit only happens if the balance covers it. */
  private static void transfer(Tx tx, int from, int to, int amount) {
    long balance = tx.queryOne("SELECT balance FROM rt_cont_acct WHERE id = ?", Long.class, from);
    if (balance < amount) {
      return;
    }
    if (tx.update("UPDATE rt_cont_acct SET balance = balance - ? WHERE id = ? AND balance >= ?", amount, from,
        amount) == 1) {
      tx.updateOne("UPDATE rt_cont_acct SET balance = balance + ? WHERE id = ?", amount, to);
    }
  }

  private static void transfers(TestDatabases.TestDb db, Isolation isolation, String initSql) throws Exception {
    createAccounts(db);
    Outcome out;
    try (HikariDataSource ds = pool(db, initSql)) {
      out = run(ds, TxOptions.builder().isolation(isolation).name("transfer").build(), RUN,
          ContentionIT::transfer);
    }
    System.out.printf("ContentionIT transfers %-10s %-15s committed=%d attempts=%d retried=%d %s gave up=%d%n",
        db.database(), isolation, out.committed.get(), out.rec.attempts("transfer"), out.rec.retries.size(),
        out.retriesByKind(), out.escaped.size());
    for (GiveUpEvent g : out.rec.giveUps) {
      System.out.println("ContentionIT gave up after " + g.attempts() + " attempts: " + g.reason());
    }
    System.out.printf("ContentionIT transfers %-10s escalated attempts=%d%n", db.database(),
        out.rec.attemptsAbove(RetryPolicy.defaults().escalateAfter()));
    // backoff alone lets about 1 run in 8 give up on PostgreSQL SERIALIZABLE; escalation after 5 failures (the
    // default) runs the call's further attempts alone among the process's "transfer" attempts, so none gives up
    assertTrue(out.escaped.isEmpty(), "no retryable failure reaches a caller: " + out.escaped);
    assertTrue(out.rec.giveUps.isEmpty(), "txkit gave up on no call: " + out.rec.giveUps);
    assertTrue(out.committed.get() > 0);
    assertEquals(ACCOUNTS * INITIAL, db.queryLong("SELECT SUM(balance) FROM rt_cont_acct"), "money conserved");
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM rt_cont_acct WHERE balance < 0"), "no negative balance");
  }

  @Test
  void transfersUnderContentionConserveMoneyAndNothingRetryableEscapes() throws Exception {
    transfers(TestDatabases.postgres(), Isolation.SERIALIZABLE, RtKit.PG_FAST_DEADLOCKS);
    transfers(TestDatabases.mariadb(), Isolation.REPEATABLE_READ, null);
    transfers(TestDatabases.h2(), Isolation.DEFAULT, null);
  }

  // ---- deadlocks counted by the servers: random order vs lockRows --------------------------------------------

  private static void randomOrder(Tx tx, int from, int to, int amount) {
    tx.updateOne("UPDATE rt_cont_acct SET balance = balance - ? WHERE id = ?", amount, from);
    tx.updateOne("UPDATE rt_cont_acct SET balance = balance + ? WHERE id = ?", amount, to);
  }

  private static void lockedFirst(Tx tx, int from, int to, int amount) {
    tx.lockRows("rt_cont_acct", "id", List.of(from, to));
    randomOrder(tx, from, to, amount);
  }

  private static long pgDeadlocks(TestDatabases.TestDb db) throws SQLException {
    try (Connection c = db.connect()) {
      // backends report their statistics when they exit: wait (bounded) until the pool's sessions are gone
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (longQuery(c, "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'rt_contention'") > 0) {
        if (System.nanoTime() > until) {
          throw new AssertionError("the pool's backends did not exit");
        }
      }
      RtKit.exec(c, "SELECT pg_stat_clear_snapshot()");
      return longQuery(c, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }
  }

  private static long mariadbDeadlocks(TestDatabases.TestDb db) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
        "SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(2);
    }
  }

  private static long longQuery(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @FunctionalInterface
  private interface Counter {
    long read() throws SQLException;
  }

  private static void deadlocks(TestDatabases.TestDb db, Isolation isolation, String initSql, Counter counter)
      throws Exception {
    long[] serverDelta = new long[2];
    Outcome[] outs = new Outcome[2];
    Work[] works = {ContentionIT::randomOrder, ContentionIT::lockedFirst};
    for (int i = 0; i < 2; i++) {
      createAccounts(db);
      long before = counter.read();
      try (HikariDataSource ds = pool(db, initSql)) {
        outs[i] = run(ds, TxOptions.builder().isolation(isolation).name("transfer").build(), DEADLOCK_RUN,
            works[i]);
      }
      serverDelta[i] = counter.read() - before;
      assertTrue(outs[i].escaped.isEmpty(), "no failure reached a caller: " + outs[i].escaped);
      assertEquals(ACCOUNTS * INITIAL, db.queryLong("SELECT SUM(balance) FROM rt_cont_acct"));
    }
    System.out.printf("ContentionIT deadlocks %-10s %-15s random order: server=%d seen=%d committed=%d | "
        + "lockRows: server=%d seen=%d committed=%d%n", db.database(), isolation, serverDelta[0],
        outs[0].deadlocksSeen(), outs[0].committed.get(), serverDelta[1], outs[1].deadlocksSeen(),
        outs[1].committed.get());
    assertTrue(outs[0].deadlocksSeen() > 0, "8 threads updating two of 10 rows in random order deadlock");
    assertEquals(0, outs[1].deadlocksSeen(), "lockRows takes the locks in one order: no deadlock");
    assertEquals(0, serverDelta[1], "the server counted no deadlock while every transaction used lockRows");
  }

  @Test
  void lockRowsAvoidsTheDeadlocksOfRandomOrder() throws Exception {
    TestDatabases.TestDb pg = TestDatabases.postgres();
    deadlocks(pg, Isolation.READ_COMMITTED, RtKit.PG_FAST_DEADLOCKS, () -> pgDeadlocks(pg));
    TestDatabases.TestDb maria = TestDatabases.mariadb();
    deadlocks(maria, Isolation.REPEATABLE_READ, null, () -> mariadbDeadlocks(maria));
  }
}
