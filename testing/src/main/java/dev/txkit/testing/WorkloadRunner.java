package dev.txkit.testing;

import dev.txkit.FailureKind;
import dev.txkit.RetryEvent;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.jdbc.Transactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link Workload} with N threads, for a duration or an operation count, with seeded random faults mixed
 * in, records the {@link History} (each operation's invocation and completion, as Jepsen does) and runs the
 * workload's checkers on it.
 *
 * <pre>{@code
 * WorkloadResult result = WorkloadRunner.builder(dataSource, BankWorkload.builder().accounts(8).build())
 *     .threads(16).duration(Duration.ofSeconds(2)).faultRate(0.05)
 *     .run();
 * result.assertValid();   // prints the seed; .seed(thatSeed) replays the same fault schedule
 * }</pre>
 *
 * <p>Faults: each operation gets one with probability {@link Builder#faultRate} (default 0), of a kind drawn from
 * {@link Builder#faultKinds} (default transient, non-retryable, connection loss and unknown outcome), striking its
 * first, second or third statement, or its commit, on its first attempt. The schedule is a function of the seed,
 * the process and the operation's number in that process, so a rerun with the seed injects the same faults into
 * the same operations (the interleaving of the threads, and so what the operations find, differs between runs).
 *
 * <p>Operations run through txkit over a {@link FaultyDataSource} wrapping the given data source, with txkit's own
 * sleeper (real backoff). Use a pool with at least as many connections as threads.
 *
 * <p>About 390 lines, half of them the builder and its documented checks; the run itself (threads, history,
 * checkers) is one method and the faults are in {@code FaultSchedule}.
 */
public final class WorkloadRunner {

  private final DataSource dataSource;
  private final Workload workload;
  private final int threads;
  private final @Nullable Duration duration;
  private final long operations;
  private final double faultRate;
  private final List<SweepKind> faultKinds;
  private final long seed;
  private final Consumer<Transactions.Builder> customizer;
  private final Consumer<FaultyDataSource> onDataSource;

  private WorkloadRunner(Builder b) {
    this.dataSource = b.dataSource;
    this.workload = b.workload;
    this.threads = b.threads;
    this.duration = b.duration == null && b.operations == 0 ? Duration.ofSeconds(1) : b.duration;
    this.operations = b.operations;
    this.faultRate = b.faultRate;
    this.faultKinds = List.copyOf(b.faultKinds);
    this.seed = b.seed != null ? b.seed : ThreadLocalRandom.current().nextLong();
    this.customizer = b.customizer;
    this.onDataSource = b.onDataSource;
  }

  /**
   * Starts a runner.
   *
   * @param dataSource the real data source (a pool with at least as many connections as threads)
   * @param workload what to run
   * @return the builder
   */
  public static Builder builder(DataSource dataSource, Workload workload) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (dataSource instanceof FaultyDataSource) {
      throw new IllegalArgumentException("Give the runner the real data source: it wraps it in a FaultyDataSource "
          + "of its own (use faultyDataSource.delegate())");
    }
    return new Builder(dataSource, Objects.requireNonNull(workload, "workload"));
  }

  /** @return the seed of the run's generators and fault schedule */
  public long seed() {
    return seed;
  }

  /** Counts retries and attempts per thread, for the history and the summary. */
  private static final class Counting implements TransactionListener {
    final Map<FailureKind, LongAdder> retries = new ConcurrentHashMap<>();
    /** The attempts of the operation each thread is running; one per run, so not static. */
    @SuppressWarnings("ThreadLocalUsage")
    final ThreadLocal<int[]> attempts = ThreadLocal.withInitial(() -> new int[1]);

    @Override
    public void onRetry(RetryEvent event) {
      retries.computeIfAbsent(event.classification().kind(), k -> new LongAdder()).increment();
    }

    @Override
    public void onComplete(TransactionStats stats) {
      attempts.get()[0] += stats.attempts();
    }
  }

  /**
   * Sets the workload up, runs it, and checks the history. Prints the seed first.
   *
   * @return the result
   * @throws IllegalStateException if the set-up fails, or a thread does not finish within a minute after the end
   */
  public WorkloadResult run() {
    System.out.println("Workload '" + workload.name() + "': seed " + seed + " (replay with .seed(" + seed + "L))");
    try (Transactions setup = Transactions.create(dataSource)) {
      workload.setUp(setup);
    } catch (Exception e) {
      throw new IllegalStateException("Setting up workload '" + workload.name() + "' failed: " + e.getMessage(), e);
    }
    FaultyDataSource faulty = FaultyDataSource.wrap(dataSource);
    onDataSource.accept(faulty);
    Counting counting = new Counting();
    Transactions.Builder tb = faulty.transactions().listener(counting);
    customizer.accept(tb);
    Transactions txs = tb.build();
    FaultSchedule schedule = new FaultSchedule(seed, faultRate, faultKinds);
    schedule.arm(faulty.faults(), txs.database());
    List<History.Op> ops = Collections.synchronizedList(new ArrayList<>());
    AtomicLong index = new AtomicLong();
    AtomicLong budget = new AtomicLong(operations == 0 ? Long.MAX_VALUE : operations);
    CountDownLatch start = new CountDownLatch(1);
    long t0 = System.nanoTime();
    long end = duration == null ? Long.MAX_VALUE : t0 + duration.toNanos();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> crashed = Collections.synchronizedList(new ArrayList<>());
    for (int p = 0; p < threads; p++) {
      int process = p;
      Thread t = new Thread(() -> {
        try {
          start.await();
          Random random = new Random(seed * 31 + process);
          for (int i = 0; ; i++) {
            if (System.nanoTime() - end >= 0 || budget.getAndDecrement() <= 0) {
              return;
            }
            Workload.Operation op = workload.next(random, process, i);
            if (op == null) {
              return;
            }
            ops.add(perform(txs, op, process, i, index.getAndIncrement(), t0, schedule, counting));
          }
        } catch (Throwable e) {
          crashed.add(e);
        }
      }, "workload-" + workload.name() + "-" + p);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : workers) {
      try {
        long wait = duration == null ? TimeUnit.MINUTES.toMillis(10) : duration.toMillis() + 60_000;
        t.join(wait);
        if (t.isAlive()) {
          throw new IllegalStateException("Workload thread " + t.getName() + " did not finish; it is at "
              + top(t.getStackTrace()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the workload", e);
      }
    }
    long elapsed = System.nanoTime() - t0;
    String database = txs.database().toString();
    txs.close();
    if (!crashed.isEmpty()) {
      IllegalStateException e = new IllegalStateException("Workload '" + workload.name() + "' crashed (seed " + seed
          + "): " + crashed.get(0));
      crashed.forEach(e::addSuppressed);
      throw e;
    }
    History history = new History(ops);
    Map<String, Checker.Result> verdicts = new LinkedHashMap<>();
    for (Checker c : workload.checkers()) {
      Checker.Result r;
      try {
        r = c.check(history, dataSource);
      } catch (Exception | AssertionError e) {
        r = Checker.Result.invalid("the checker failed: " + e);
      }
      verdicts.put(c.name(), r);
    }
    Map<FailureKind, Long> retries = new EnumMap<>(FailureKind.class);
    counting.retries.forEach((k, v) -> retries.put(k, v.sum()));
    return new WorkloadResult(workload.name(), database, threads, elapsed, seed, history, retries,
        schedule.fired(), schedule.planned(), verdicts);
  }

  private static String top(StackTraceElement[] trace) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(trace.length, 12); i++) {
      sb.append("\n  at ").append(trace[i]);
    }
    return sb.toString();
  }

  private History.Op perform(Transactions txs, Workload.Operation op, int process, int i, long index, long t0,
      FaultSchedule schedule, Counting counting) {
    FaultSchedule.Plan plan = schedule.begin(process, i);
    counting.attempts.get()[0] = 0;
    long invoked = System.nanoTime() - t0;
    Object result = null;
    Throwable failure = null;
    try {
      result = workload.invoke(txs, op, process);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      failure = t;
    } finally {
      schedule.end();
    }
    long completed = System.nanoTime() - t0;
    History.Outcome outcome = failure == null ? History.Outcome.OK : workload.outcomeOf(failure);
    return new History.Op(index, process, Thread.currentThread().getName(), op.f(), op.value(), invoked, completed,
        outcome, failure == null ? result : null, failure, counting.attempts.get()[0],
        plan != null && plan.fired ? plan.toString() : null);
  }

  /** Builds a {@link WorkloadRunner}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private final Workload workload;
    private int threads = 4;
    private @Nullable Duration duration;
    private long operations;
    private double faultRate;
    private final Set<SweepKind> faultKinds = EnumSet.of(SweepKind.TRANSIENT, SweepKind.NON_RETRYABLE,
        SweepKind.CONNECTION_LOSS, SweepKind.UNKNOWN_OUTCOME);
    private @Nullable Long seed;
    private Consumer<Transactions.Builder> customizer = b -> { };
    private Consumer<FaultyDataSource> onDataSource = ds -> { };

    private Builder(DataSource dataSource, Workload workload) {
      this.dataSource = dataSource;
      this.workload = workload;
    }

    /**
     * The number of threads, one process each.
     *
     * @param threads at least 1; default 4
     * @return this builder
     */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Stops invoking operations after this long (operations running then complete). Default 1 s when no
     * operation count is given.
     *
     * @param duration positive
     * @return this builder
     */
    public Builder duration(Duration duration) {
      Objects.requireNonNull(duration, "duration");
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive, got " + duration);
      }
      this.duration = duration;
      return this;
    }

    /**
     * Stops after this many operations in all (with a duration too: whichever comes first).
     *
     * @param operations at least 1
     * @return this builder
     */
    public Builder operations(long operations) {
      if (operations < 1) {
        throw new IllegalArgumentException("operations must be at least 1, got " + operations);
      }
      this.operations = operations;
      return this;
    }

    /**
     * The probability that an operation gets a fault.
     *
     * @param rate in [0, 1]; default 0
     * @return this builder
     */
    public Builder faultRate(double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("the fault rate is a probability in [0, 1], got " + rate);
      }
      this.faultRate = rate;
      return this;
    }

    /**
     * The kinds of fault to mix in (not {@link SweepKind#SILENT_ROLLBACK}).
     *
     * @param kinds at least one
     * @return this builder
     */
    public Builder faultKinds(SweepKind... kinds) {
      if (kinds.length == 0) {
        throw new IllegalArgumentException("give at least one kind of fault, or faultRate(0) for none");
      }
      faultKinds.clear();
      for (SweepKind k : kinds) {
        if (k == SweepKind.SILENT_ROLLBACK) {
          throw new IllegalArgumentException("a silent rollback cannot be told from a commit by any client, so no "
              + "checker could hold; it is not a fault for workloads");
        }
        faultKinds.add(Objects.requireNonNull(k, "kind"));
      }
      return this;
    }

    /**
     * The seed of the processes' generators and of the fault schedule (random unless set; printed by
     * {@link #run()}).
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Adjusts the {@link Transactions} the operations run through.
     *
     * @param customizer what to do to the builder
     * @return this builder
     */
    public Builder transactions(Consumer<Transactions.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /**
     * Hands the run's {@link FaultyDataSource} to the caller before the run starts: to arm faults of its own, or to
     * attach a {@link LockOrderChecker}.
     *
     * @param onDataSource what to do with it
     * @return this builder
     */
    public Builder onDataSource(Consumer<FaultyDataSource> onDataSource) {
      this.onDataSource = Objects.requireNonNull(onDataSource, "onDataSource");
      return this;
    }

    /** @return the runner */
    public WorkloadRunner build() {
      return new WorkloadRunner(this);
    }

    /**
     * Builds the runner and runs it.
     *
     * @return the result
     */
    public WorkloadResult run() {
      return build().run();
    }
  }
}
