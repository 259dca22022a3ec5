package dev.txkit.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.GiveUpEvent;
import dev.txkit.RetryEvent;
import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Shared helpers of the failure-handling integration tests (tables prefixed {@code rt_}). */
final class RtKit {

  private RtKit() {
  }

  /**
   * A pool of its own whose connections run {@code initSql} when created (e.g. {@code SET deadlock_timeout}).
   */
  static HikariDataSource pool(TestDatabases.TestDb db, int size, String initSql) {
    db.requireReachable();
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(db.url());
    c.setMaximumPoolSize(size);
    c.setMinimumIdle(0);
    c.setConnectionTimeout(10_000);
    c.setPoolName("rt-" + db.database());
    if (initSql != null) {
      c.setConnectionInitSql(initSql);
    }
    return new HikariDataSource(c);
  }

  /** The session setting that makes PostgreSQL detect deadlocks after 50 ms instead of 1 s. */
  static final String PG_FAST_DEADLOCKS = "SET deadlock_timeout = '50ms'";

  /** Awaits a latch, failing the test (instead of hanging) if it does not open within 20 s. */
  static void await(CountDownLatch latch) {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new AssertionError("a latch did not open within 20 s: the interleaving did not happen");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Runs SQL on a plain connection with autocommit. */
  static void exec(Connection c, String... sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** Counts attempts, retries and give-ups per transaction name. */
  static final class Recorder implements TransactionListener {
    final Map<String, AtomicInteger> begins = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> commits = new ConcurrentHashMap<>();
    final List<RetryEvent> retries = new CopyOnWriteArrayList<>();
    final List<GiveUpEvent> giveUps = new CopyOnWriteArrayList<>();
    final AtomicInteger outcomeUnknown = new AtomicInteger();
    final List<Integer> attemptNumbers = new CopyOnWriteArrayList<>();

    @Override
    public void onBegin(String name, int attempt) {
      begins.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      attemptNumbers.add(attempt);
    }

    /** @return how many attempts had a number above {@code n} */
    long attemptsAbove(int n) {
      return attemptNumbers.stream().filter(a -> a > n).count();
    }

    @Override
    public void onCommit(String name, int attempt) {
      commits.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void onRetry(RetryEvent event) {
      retries.add(event);
    }

    @Override
    public void onGiveUp(GiveUpEvent event) {
      giveUps.add(event);
    }

    @Override
    public void onOutcomeUnknown(String name, int attempt, Throwable failure) {
      outcomeUnknown.incrementAndGet();
    }

    int attempts(String name) {
      AtomicInteger n = begins.get(name);
      return n == null ? 0 : n.get();
    }

    int commits(String name) {
      AtomicInteger n = commits.get(name);
      return n == null ? 0 : n.get();
    }
  }

  /** A clock that only moves when told to, and a sleeper that advances it instead of sleeping. */
  static final class FakeClock implements Sleeper, Ticker {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public void sleep(Duration d) {
      sleeps.add(d);
      nanos.addAndGet(d.toNanos());
    }

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }
}
