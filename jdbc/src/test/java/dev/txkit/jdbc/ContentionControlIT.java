package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Isolation;
import dev.txkit.RetryPolicy;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Adaptive contention control on PostgreSQL SERIALIZABLE, the hot spot of the issue: 16 threads transfer between
 * 10 accounts (SELECT both balances, UPDATE both, in random order), with the server's own deadlock_timeout.
 * With contention control on, fewer attempts abort per commit than with it off, no failure reaches a caller, and
 * money is conserved; the limit it settled on reaches the statistics. Interleaved: off, on, off, on.
 */
class ContentionControlIT {

  private static final int THREADS = 16;
  private static final int ACCOUNTS = 10;
  private static final long INITIAL = 1_000;
  private static final Duration RUN = Duration.ofMillis(2500);

  /** What one run saw. */
  private static final class Run {
    final AtomicLong commits = new AtomicLong();
    final AtomicLong attempts = new AtomicLong();
    final List<Throwable> escaped = new CopyOnWriteArrayList<>();
    final AtomicInteger lowestLimit = new AtomicInteger(Integer.MAX_VALUE);

    double abortedPerCommit() {
      return (double) (attempts.get() - commits.get()) / Math.max(1, commits.get());
    }

    @Override
    public String toString() {
      return String.format("%d commits, %d attempts, %.3f aborted per commit, %d escaped, lowest limit %s",
          commits.get(), attempts.get(), abortedPerCommit(), escaped.size(),
          lowestLimit.get() == Integer.MAX_VALUE ? "none" : lowestLimit.get());
    }
  }

  private static Run run(HikariDataSource ds, String name, boolean control) throws Exception {
    Run out = new Run();
    TransactionListener statsListener = new TransactionListener() {
      @Override
      public void onComplete(TransactionStats s) {
        if (s.concurrencyLimit() > 0) {
          out.lowestLimit.accumulateAndGet(s.concurrencyLimit(), Math::min);
        }
      }
    };
    Transactions txs = Transactions.builder(ds).listener(statsListener).build();
    TxOptions options = TxOptions.builder().name(name).isolation(Isolation.SERIALIZABLE)
        .retry(RetryPolicy.defaults().toBuilder().withContentionControl(control).build()).build();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        fs.add(pool.submit(() -> {
          RtKit.await(start);
          long end = System.nanoTime() + RUN.toNanos();
          ThreadLocalRandom r = ThreadLocalRandom.current();
          while (System.nanoTime() < end) {
            int from = 1 + r.nextInt(ACCOUNTS);
            int to = 1 + (from + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            int amount = 1 + r.nextInt(100);
            try {
              txs.useTransaction(options, tx -> {
                out.attempts.incrementAndGet();
                long a = tx.queryOne("SELECT balance FROM rt_cc_acct WHERE id = ?", Long.class, from);
                tx.queryOne("SELECT balance FROM rt_cc_acct WHERE id = ?", Long.class, to);
                if (a >= amount) {
                  tx.updateOne("UPDATE rt_cc_acct SET balance = balance - ? WHERE id = ?", amount, from);
                  tx.updateOne("UPDATE rt_cc_acct SET balance = balance + ? WHERE id = ?", amount, to);
                }
              });
              out.commits.incrementAndGet();
            } catch (RuntimeException e) {
              out.escaped.add(e);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  @Test
  void atSixteenThreadsFewerAttemptsAbortPerCommitWithNoEscapeAndMoneyConserved() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.requireReachable();
    db.createTable("rt_cc_acct", "id INT PRIMARY KEY, balance BIGINT NOT NULL");
    StringBuilder sb = new StringBuilder("INSERT INTO rt_cc_acct VALUES ");
    for (int i = 1; i <= ACCOUNTS; i++) {
      sb.append(i == 1 ? "" : ", ").append('(').append(i).append(", ").append(INITIAL).append(')');
    }
    db.exec(sb.toString());
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(db.url());
    c.setMaximumPoolSize(THREADS);
    c.setMinimumIdle(0);
    c.setPoolName("rt-contention-control");
    List<Run> off = new ArrayList<>();
    List<Run> on = new ArrayList<>();
    try (HikariDataSource ds = new HikariDataSource(c)) {
      for (int round = 0; round < 2; round++) {
        off.add(run(ds, "cc_transfer_off", false));
        on.add(run(ds, "cc_transfer_on", true));
      }
    }
    System.out.println("ContentionControlIT off: " + off);
    System.out.println("ContentionControlIT on:  " + on);
    for (int round = 0; round < 2; round++) {
      Run o = on.get(round);
      assertTrue(o.escaped.isEmpty(), "no failure reaches a caller with contention control: " + o.escaped);
      assertTrue(o.commits.get() > 0, o.toString());
      assertTrue(o.abortedPerCommit() < off.get(round).abortedPerCommit(),
          "round " + round + ": on " + o + " vs off " + off.get(round));
      assertTrue(o.lowestLimit.get() < THREADS, "a limit below the thread count reached the statistics: " + o);
    }
    assertEquals(ACCOUNTS * INITIAL, db.queryLong("SELECT SUM(balance) FROM rt_cc_acct"), "money conserved");
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM rt_cc_acct WHERE balance < 0"), "no negative balance");
  }
}
