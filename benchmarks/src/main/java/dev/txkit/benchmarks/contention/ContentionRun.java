package dev.txkit.benchmarks.contention;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Isolation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * Runs one strategy on one workload with N threads for a fixed time, then reads the server's deadlock counter
 * and checks the workload's invariant against the database.
 *
 * <p>Each run gets a pool of its own, exactly N connections, all opened before the clock starts (so no run pays
 * for connections, and at most N of the server's connections are this harness's). PostgreSQL sessions run with
 * {@code synchronous_commit = off} unless asked otherwise, as pgbench's do in the side-by-side runs.
 */
public final class ContentionRun {

  /**
   * Settings shared by every run.
   *
   * @param synchronousCommit PostgreSQL's {@code synchronous_commit} (false: {@code off})
   * @param pgDeadlockTimeoutMillis PostgreSQL's {@code deadlock_timeout} for the pool's sessions, 0 for the
   *     server's (1 s by default)
   * @param seed seed of the operations' random numbers
   */
  public record Settings(boolean synchronousCommit, int pgDeadlockTimeoutMillis, long seed) {
  }

  private ContentionRun() {
  }

  /**
   * Runs it.
   *
   * @param target the database and isolation
   * @param workload the workload, already set up on the target
   * @param kind the strategy
   * @param threads thread count
   * @param millis measured window
   * @param round the schedule's round (for the record, and the seed)
   * @param settings shared settings
   * @return what it measured
   * @throws Exception if the database cannot be reached or the run hangs
   */
  public static RunResult run(Target target, Workload workload, StrategyKind kind, int threads, long millis,
      int round, Settings settings) throws Exception {
    try (HikariDataSource pool = openPool(target, threads, settings)) {
      return run(target, workload, kind, threads, millis, round, settings, pool);
    }
  }

  /**
   * Runs it on a pool from {@link #openPool} (the strategies of one cell share it, so that a run does not pay
   * for opening N connections; nothing of a run's transactions outlives it in the pool).
   *
   * @param target the database and isolation
   * @param workload the workload, already set up on the target
   * @param kind the strategy
   * @param threads thread count, the pool's size
   * @param millis measured window
   * @param round the schedule's round (for the record, and the seed)
   * @param settings shared settings
   * @param pool the pool
   * @return what it measured
   * @throws Exception if the database cannot be reached or the run hangs
   */
  public static RunResult run(Target target, Workload workload, StrategyKind kind, int threads, long millis,
      int round, Settings settings, HikariDataSource pool) throws Exception {
    try (Connection check = DriverManager.getConnection(target.url())) {
      workload.reset(check);
      long[] before = workload.snapshot(check);
      long deadlocksBefore = target.deadlockCounter(check);
      Strategy strategy = kind.create(pool, target, target.id() + "/" + workload.id());
      Recorder[] recorders = new Recorder[threads];
      Throwable[] crashed = new Throwable[1];
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      long[] window = new long[2];
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + round * 1009L + i);
        Thread t = new Thread(() -> {
          ready.countDown();
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          Recorder rec = new Recorder(window[1]);
          recorders[index] = rec;
          rec.bind();
          try {
            long now = System.nanoTime();
            while (now < window[1]) {
              Operation op = workload.next(random);
              long start = now;
              try {
                boolean committed = strategy.call(op, rec);
                now = System.nanoTime();
                rec.done(start, now, committed);
              } catch (Exception e) {
                now = System.nanoTime();
                rec.failed(start, now, e);
              }
            }
          } catch (Throwable e) {
            synchronized (crashed) {
              crashed[0] = e;
            }
          } finally {
            rec.unbind();
          }
        }, "contention-" + i);
        t.setDaemon(true);
        workers.add(t);
        t.start();
      }
      ready.await();
      window[0] = System.nanoTime();
      window[1] = window[0] + millis * 1_000_000L;
      go.countDown();
      for (Thread t : workers) {
        // a call in flight at the end of the window completes; a deadlock stall is at most deadlock_timeout
        t.join(millis + 120_000L);
        if (t.isAlive()) {
          throw new IllegalStateException(t.getName() + " still runs two minutes after the end of the window");
        }
      }
      if (crashed[0] != null) {
        throw new IllegalStateException("a worker thread crashed", crashed[0]);
      }
      flushServerStatistics(target, pool, threads);
      long deadlocksAfter = target.deadlockCounter(check);
      return merge(target, workload, kind, threads, round, millis / 1000.0, recorders, before, check,
          deadlocksBefore < 0 ? -1 : deadlocksAfter - deadlocksBefore);
    }
  }

  /**
   * A pool for runs with {@code threads} threads, every connection already open.
   *
   * @param target the target
   * @param threads the pool's size
   * @param settings the settings
   * @return the pool; close it
   * @throws SQLException if a connection cannot be opened
   */
  public static HikariDataSource openPool(Target target, int threads, Settings settings) throws SQLException {
    HikariDataSource pool = new HikariDataSource(poolConfig(target, threads, settings));
    // open every connection now, not during the measured window
    Connection[] all = new Connection[threads];
    try {
      for (int i = 0; i < threads; i++) {
        all[i] = pool.getConnection();
      }
    } finally {
      for (Connection c : all) {
        if (c != null) {
          c.close();
        }
      }
    }
    return pool;
  }

  /**
   * The pool configuration of a run: exactly {@code threads} connections at the target's isolation, and the
   * PostgreSQL session settings of {@code settings}.
   *
   * @param target the target
   * @param threads pool size
   * @param settings the settings
   * @return the configuration
   */
  static HikariConfig poolConfig(Target target, int threads, Settings settings) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(target.url());
    config.setPoolName("contention-" + target.id() + "-" + threads);
    config.setMaximumPoolSize(threads);
    config.setMinimumIdle(threads);
    config.setTransactionIsolation(jdbcIsolationName(target.isolation()));
    if (target.isPostgres()) {
      StringBuilder init = new StringBuilder();
      if (!settings.synchronousCommit()) {
        init.append("SET synchronous_commit = off; ");
      }
      if (settings.pgDeadlockTimeoutMillis() > 0) {
        init.append("SET deadlock_timeout = '").append(settings.pgDeadlockTimeoutMillis()).append("ms'; ");
      }
      if (init.length() > 0) {
        config.setConnectionInitSql(init.toString().trim());
      }
    }
    return config;
  }

  private static String jdbcIsolationName(Isolation isolation) {
    return "TRANSACTION_" + isolation.name();
  }

  /**
   * PostgreSQL backends report their counters (deadlocks among them) to the shared statistics at most once a
   * second, or later when idle: ask each of the pool's sessions to flush when it next goes idle, and make it go
   * idle once more, so the counter read afterwards is complete.
   */
  private static void flushServerStatistics(Target target, HikariDataSource pool, int threads) throws SQLException {
    if (!target.isPostgres()) {
      return;
    }
    Connection[] all = new Connection[threads];
    try {
      for (int i = 0; i < threads; i++) {
        all[i] = pool.getConnection();
        try (Statement st = all[i].createStatement()) {
          st.execute("SELECT pg_stat_force_next_flush()");
          st.execute("SELECT 1");
        }
      }
    } finally {
      for (Connection c : all) {
        if (c != null) {
          c.close();
        }
      }
    }
  }

  private static RunResult merge(Target target, Workload workload, StrategyKind kind, int threads, int round,
      double seconds, Recorder[] recorders, long[] before, Connection check, long deadlocks) throws SQLException {
    long commitsInWindow = 0;
    long commits = 0;
    long declined = 0;
    long calls = 0;
    long attempts = 0;
    Map<String, Long> errors = new TreeMap<>();
    Map<String, Long> aborted = new TreeMap<>();
    List<long[]> latencies = new ArrayList<>();
    int n = 0;
    for (Recorder r : recorders) {
      if (r == null) {
        continue;
      }
      commitsInWindow += r.commitsInWindow;
      commits += r.commits;
      declined += r.declined;
      calls += r.calls;
      attempts += r.attempts;
      r.callerErrors.forEach((k, v) -> errors.merge(k, v, Long::sum));
      r.abortedAttempts.forEach((k, v) -> aborted.merge(k, v, Long::sum));
      long[] l = r.latencies();
      latencies.add(l);
      n += l.length;
    }
    long[] all = new long[n];
    int at = 0;
    for (long[] l : latencies) {
      System.arraycopy(l, 0, all, at, l.length);
      at += l.length;
    }
    Arrays.sort(all);
    @Nullable String invariant = workload.check(check, before, commits);
    return new RunResult(target, workload.id(), kind.id(), threads, round, seconds, commitsInWindow, commits,
        declined, calls, attempts, percentile(all, 0.50), percentile(all, 0.99),
        all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6, errors, aborted, deadlocks, invariant);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }
}
