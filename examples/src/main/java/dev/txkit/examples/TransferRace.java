package dev.txkit.examples;

import dev.txkit.FailureKind;
import dev.txkit.RetryEvent;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionSummary;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.Failures;
import dev.txkit.testing.Fault;
import dev.txkit.testing.Faults;
import dev.txkit.testing.FaultyDataSource;
import dev.txkit.testing.Point;
import dev.txkit.testing.StatementKind;
import dev.txkit.testing.Trigger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The demo's workload: threads moving money between a few hot accounts for a while, with a deadlock or a lost
 * connection injected now and then by txkit-testing, run with one of three {@link Strategy strategies}. Then
 * the money is counted in the database. Each run starts from freshly opened accounts.
 *
 * <p>Real deadlocks come from the workload itself: each transfer credits before it debits, so two transfers
 * between the same accounts in opposite directions lock the two rows in opposite orders. Injected failures come
 * from a {@link FaultyDataSource} in front of the pool: before an update of the accounts, with a given
 * probability, the database's own deadlock (which, like the real one, rolls the transaction back) or a dropped
 * connection.
 *
 * <p>Longer than the other examples on purpose: the demo's figures must be honest, so the settings, the race
 * and every counter behind a figure are in this one class, to be read together.
 *
 * <p>One run at a time; not thread-safe.
 */
public final class TransferRace {

  /** How the transfers are written. */
  public enum Strategy {
    /** {@link HandWrittenTransfer}: try/catch/rollback by hand, failed statements logged and ignored. */
    HAND_WRITTEN("hand-written"),
    /** {@code inTransaction} with the default retry policy, the rows locked in the caller's order. */
    IN_TRANSACTION("inTransaction"),
    /** {@link BankTransfer}: {@code inTransaction} with {@code lockRows} first, one lock order for all. */
    LOCK_ROWS("+ lockRows");

    private final String label;

    Strategy(String label) {
      this.label = label;
    }

    /** @return the column heading */
    public String label() {
      return label;
    }
  }

  /**
   * What to run.
   *
   * @param threads how many threads transfer at the same time, at least 1
   * @param duration how long each strategy runs, positive
   * @param accounts how many hot accounts, at least 2
   * @param faultRate probability that an update of the accounts meets an injected failure, in [0, 1]
   * @param seed seeds the transfers and the injected failures
   */
  public record Settings(int threads, Duration duration, int accounts, double faultRate, long seed) {

    /** The opening balance of each account, in cents. */
    public static final long OPENING_BALANCE = 1_000_00;

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if a value is out of range; the message names it
     */
    public Settings {
      Objects.requireNonNull(duration, "duration");
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      if (duration.isZero() || duration.isNegative()) {
        throw new IllegalArgumentException("the duration must be positive, got " + duration);
      }
      if (accounts < 2) {
        throw new IllegalArgumentException("a transfer needs at least 2 accounts, got " + accounts);
      }
      if (!(faultRate >= 0 && faultRate <= 1)) {
        throw new IllegalArgumentException("the fault rate is a probability in [0, 1], got " + faultRate);
      }
    }

    /** @return the sum of all opening balances */
    public long expectedTotal() {
      return accounts * OPENING_BALANCE;
    }
  }

  /**
   * What one run did, counted by the callers and, for the money, in the database.
   *
   * @param strategy the strategy
   * @param commits transfers the callers were told committed
   * @param insufficientFunds transfers the callers were told had too little money
   * @param callerErrors exceptions that reached the callers
   * @param ignoredStatementFailures statement failures the hand-written helper caught and carried on from
   * @param retries txkit's retries by failure kind
   * @param deadlocks deadlocks seen: retried by txkit, reaching the caller, or caught by the helper
   * @param injectedDeadlocks how many of those deadlocks txkit-testing injected
   * @param injectedDrops connections txkit-testing dropped
   * @param expectedTotal the money there should be, in cents
   * @param actualTotal the money there is in the database, in cents
   * @param negativeBalances accounts below zero in the database
   * @param elapsed how long the run took
   */
  public record Result(Strategy strategy, long commits, long insufficientFunds, long callerErrors,
      long ignoredStatementFailures, Map<FailureKind, Long> retries, long deadlocks, long injectedDeadlocks,
      long injectedDrops, long expectedTotal, long actualTotal, long negativeBalances, Duration elapsed,
      List<TransactionSummary.Row> txkitCalls) {

    /** Copies the map. */
    public Result {
      retries = Collections.unmodifiableMap(retries.isEmpty() ? new EnumMap<>(FailureKind.class)
          : new EnumMap<>(retries));
    }

    /** @return deadlocks the database raised by itself */
    public long realDeadlocks() {
      return Math.max(0, deadlocks - injectedDeadlocks);
    }

    /** @return whether every cent is still there */
    public boolean moneyConserved() {
      return actualTotal == expectedTotal;
    }

    /** @return all retries */
    public long totalRetries() {
      return retries.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Told of the progress of a run, about ten times a second, on the thread that called {@code run}. */
  @FunctionalInterface
  public interface Progress {
    /**
     * Progress so far.
     *
     * @param elapsed time since the run started
     * @param commits transfers committed so far
     */
    void update(Duration elapsed, long commits);
  }

  private final DataSource pool;
  private final FaultyDataSource faulty;
  private final String table;
  private final Database database;
  private final Transactions plain;

  /**
   * A race on table {@code table} of the database behind {@code pool}.
   *
   * @param pool a connection pool with at least as many connections as threads
   * @param table the accounts table, dropped and created by each run
   */
  public TransferRace(DataSource pool, String table) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.table = Objects.requireNonNull(table, "table");
    this.faulty = FaultyDataSource.wrap(pool);
    this.plain = Transactions.create(pool);
    this.database = plain.database();
  }

  /** @return the database */
  public Database database() {
    return database;
  }

  /**
   * Runs one strategy.
   *
   * @param strategy how transfers are written
   * @param settings what to run
   * @param progress told of the progress
   * @return what happened
   * @throws InterruptedException if interrupted while waiting for the threads
   */
  public Result run(Strategy strategy, Settings settings, Progress progress) throws InterruptedException {
    BankTransfer bank = new BankTransfer(plain, table);
    bank.createSchema();
    for (int id = 1; id <= settings.accounts(); id++) {
      bank.openAccount(id, "owner-" + id, Settings.OPENING_BALANCE);
    }

    Faults faults = faulty.faults();
    faults.reset();
    faults.seed(settings.seed() + strategy.ordinal());
    Trigger update = Trigger.kind(StatementKind.UPDATE);
    Trigger accounts = Trigger.table(table);
    Faults.ArmedFault deadlock = faults.inject(Fault.at(Point.STATEMENT_BEFORE)
        .when(accounts, update, Trigger.probability(settings.faultRate() * 0.8)).always()
        .fail(Failures.of(database).deadlock()));
    Faults.ArmedFault drop = faults.inject(Fault.at(Point.STATEMENT_BEFORE)
        .when(accounts, update, Trigger.probability(settings.faultRate() * 0.2)).always()
        .dropConnection());

    Counters n = new Counters();
    TransactionSummary summary = new TransactionSummary();
    Transactions txs = faulty.transactions().listener(n).listener(summary).build();
    HandWrittenTransfer handWritten = new HandWrittenTransfer(faulty, table, n::ignored);
    BankTransfer ordered = new BankTransfer(txs, table);
    TxOptions transfer = txs.defaults().toBuilder().name("transfer").build();
    Worker worker = switch (strategy) {
      case HAND_WRITTEN -> (from, to, amount) -> {
        if (handWritten.transfer(from, to, amount) == HandWrittenTransfer.Outcome.COMMITTED) {
          n.commits.incrementAndGet();
        } else {
          n.insufficient.incrementAndGet();
        }
      };
      case IN_TRANSACTION -> (from, to, amount) -> {
        try {
          txs.useTransaction(transfer, tx -> {
            tx.updateOne("UPDATE " + table + " SET balance = balance + ? WHERE id = ?", amount, to);
            tx.updateOne("UPDATE " + table + " SET balance = balance - ? WHERE id = ? AND balance >= ?",
                amount, from, amount);
          });
          n.commits.incrementAndGet();
        } catch (UnexpectedRowCountException e) {
          n.insufficient.incrementAndGet();
        }
      };
      case LOCK_ROWS -> (from, to, amount) -> {
        try {
          ordered.transfer(from, to, amount);
          n.commits.incrementAndGet();
        } catch (UnexpectedRowCountException e) {
          n.insufficient.incrementAndGet();
        }
      };
    };

    long started = System.nanoTime();
    race(settings, worker, n, progress);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    faults.reset();
    faulty.recorder().clear();

    long[] money = money();
    return new Result(strategy, n.commits.get(), n.insufficient.get(), n.callerErrors.get(), n.ignored.get(),
        n.retriesByKind(), n.deadlocks.get(), deadlock.timesFired(), drop.timesFired(), settings.expectedTotal(),
        money[0], money[1], elapsed, summary.rows());
  }

  /** Drops the accounts table. */
  public void dropSchema() {
    Schema.drop(plain, table);
  }

  /** One transfer. */
  @FunctionalInterface
  private interface Worker {
    void transfer(long from, long to, long amount) throws Exception;
  }

  private void race(Settings settings, Worker worker, Counters n, Progress progress) throws InterruptedException {
    ExecutorService threads = Executors.newFixedThreadPool(settings.threads(), r -> {
      Thread t = new Thread(r, "transfer-" + n.threadNames.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    CountDownLatch start = new CountDownLatch(1);
    long deadline = System.nanoTime() + settings.duration().toNanos();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < settings.threads(); t++) {
      Random random = new Random(settings.seed() * 31 + t);
      futures.add(threads.submit(() -> {
        start.await();
        while (System.nanoTime() < deadline) {
          long from = 1 + random.nextInt(settings.accounts());
          long to = 1 + (from + random.nextInt(settings.accounts() - 1)) % settings.accounts();
          long amount = 1_00 + random.nextInt(100_00);
          try {
            worker.transfer(from, to, amount);
          } catch (Exception e) {
            n.callerError(e);
          }
        }
        return null;
      }));
    }
    long started = System.nanoTime();
    start.countDown();
    try {
      for (Future<?> f : futures) {
        while (true) {
          try {
            f.get(100, TimeUnit.MILLISECONDS);
            break;
          } catch (TimeoutException e) {
            progress.update(Duration.ofNanos(System.nanoTime() - started), n.commits.get());
            // the kit keeps a trace of every JDBC call for its checks; the demo has no use for it
            faulty.recorder().clear();
          } catch (ExecutionException e) {
            throw new IllegalStateException("a transfer thread failed", e.getCause());
          }
        }
      }
      progress.update(Duration.ofNanos(System.nanoTime() - started), n.commits.get());
    } finally {
      threads.shutdownNow();
    }
  }

  /** The sum of the balances and the number of negative ones, read with plain JDBC. */
  private long[] money() {
    try (Connection c = pool.getConnection();
         PreparedStatement ps = c.prepareStatement(
             "SELECT COALESCE(SUM(balance), 0), COUNT(CASE WHEN balance < 0 THEN 1 END) FROM " + table);
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      throw new IllegalStateException("Could not count the money in " + table + ": " + e.getMessage(), e);
    }
  }

  /** The counts of one run; a listener for txkit's retries. */
  private static final class Counters implements TransactionListener {
    final AtomicLong commits = new AtomicLong();
    final AtomicLong insufficient = new AtomicLong();
    final AtomicLong callerErrors = new AtomicLong();
    final AtomicLong ignored = new AtomicLong();
    final AtomicLong deadlocks = new AtomicLong();
    final AtomicLong threadNames = new AtomicLong();
    final Map<FailureKind, AtomicLong> retries = new EnumMap<>(FailureKind.class);

    Counters() {
      for (FailureKind k : FailureKind.values()) {
        retries.put(k, new AtomicLong());
      }
    }

    void ignored(SQLException e) {
      ignored.incrementAndGet();
      if (isDeadlock(e)) {
        deadlocks.incrementAndGet();
      }
    }

    void callerError(Throwable e) {
      callerErrors.incrementAndGet();
      if (e instanceof dev.txkit.DeadlockException || e instanceof SQLException && isDeadlock((SQLException) e)) {
        deadlocks.incrementAndGet();
      }
    }

    @Override
    public void onRetry(RetryEvent event) {
      retries.get(event.classification().kind()).incrementAndGet();
      if (event.classification().kind() == FailureKind.DEADLOCK) {
        deadlocks.incrementAndGet();
      }
    }

    Map<FailureKind, Long> retriesByKind() {
      Map<FailureKind, Long> m = new EnumMap<>(FailureKind.class);
      retries.forEach((k, v) -> {
        if (v.get() > 0) {
          m.put(k, v.get());
        }
      });
      return m;
    }

    /**
     * A deadlock by its SQLState: 40P01 on PostgreSQL; 40001 on H2 and MariaDB, where the workload's isolation
     * (the database's default) raises no other 40001.
     */
    private static boolean isDeadlock(SQLException e) {
      return "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
    }
  }
}
