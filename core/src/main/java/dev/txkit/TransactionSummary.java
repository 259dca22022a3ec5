package dev.txkit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A ready listener that keeps, in memory, counts and latency percentiles per transaction name, and prints them as
 * a table: for demos, benchmarks, tests and a quick look at an application.
 *
 * <pre>{@code
 * TransactionSummary summary = new TransactionSummary();
 * Transactions txs = Transactions.builder(dataSource).listener(summary).build();
 * ...
 * summary.print(System.out);
 * }</pre>
 *
 * <p>Latencies are each call's {@link TransactionStats#elapsedNanos()}, kept in a histogram of 16 buckets per
 * power of two (percentiles within about 6%, never below the true value's bucket); counts and totals are exact.
 * Memory is about 8 KB per transaction name. Thread-safe; recording a call allocates nothing once its name was
 * seen.
 */
public final class TransactionSummary implements TransactionListener {

  private final Map<String, PerName> byName = new ConcurrentHashMap<>();

  /** Creates an empty summary. */
  public TransactionSummary() {
  }

  /**
   * One transaction name's figures.
   *
   * @param name the transaction's name
   * @param calls calls completed
   * @param committed calls that committed (resolved commits included)
   * @param rolledBack calls rolled back as the application asked
   * @param gaveUp calls txkit gave up on
   * @param unknown calls whose commit outcome is unknown
   * @param retries retried attempts
   * @param attempts attempts made
   * @param p50Nanos median call latency
   * @param p90Nanos 90th percentile
   * @param p99Nanos 99th percentile
   * @param maxNanos the slowest call
   * @param statements statements executed, over all calls
   * @param databaseNanos time inside JDBC calls, over all calls
   * @param idleNanos idle time inside transactions, over all calls
   */
  public record Row(String name, long calls, long committed, long rolledBack, long gaveUp, long unknown,
      long retries, long attempts, long p50Nanos, long p90Nanos, long p99Nanos, long maxNanos, long statements,
      long databaseNanos, long idleNanos) {
  }

  @Override
  public void onComplete(TransactionStats stats) {
    PerName p = byName.get(stats.transactionName());
    if (p == null) {
      p = byName.computeIfAbsent(stats.transactionName(), n -> new PerName());
    }
    p.add(stats);
  }

  /** @return one row per transaction name, sorted by name */
  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, PerName> e : byName.entrySet()) {
      rows.add(e.getValue().row(e.getKey()));
    }
    rows.sort((a, b) -> a.name().compareTo(b.name()));
    return rows;
  }

  /** Forgets everything recorded so far. */
  public void reset() {
    byName.clear();
  }

  /**
   * The rows as a text table, one line per transaction name; times in milliseconds, the statement and time
   * columns per call.
   *
   * @return the table
   */
  public String table() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-24s %8s %8s %8s %7s %7s %7s %8s %9s %9s %9s %9s %7s %9s %9s%n",
        "transaction", "calls", "commit", "rollback", "gave-up", "unknown", "retries", "att/call", "p50 ms",
        "p90 ms", "p99 ms", "max ms", "stmts", "db ms", "idle ms"));
    for (Row r : rows()) {
      double calls = Math.max(1, r.calls());
      b.append(String.format(Locale.ROOT,
          "%-24s %8d %8d %8d %7d %7d %7d %8.2f %9.3f %9.3f %9.3f %9.3f %7.1f %9.3f %9.3f%n",
          abbreviate(r.name()), r.calls(), r.committed(), r.rolledBack(), r.gaveUp(), r.unknown(), r.retries(),
          r.attempts() / calls, ms(r.p50Nanos()), ms(r.p90Nanos()), ms(r.p99Nanos()), ms(r.maxNanos()),
          r.statements() / calls, ms(r.databaseNanos()) / calls, ms(r.idleNanos()) / calls));
    }
    return b.toString();
  }

  /**
   * Prints {@link #table()}.
   *
   * @param out where to
   */
  public void print(PrintStream out) {
    Objects.requireNonNull(out, "out").print(table());
  }

  @Override
  public String toString() {
    return table();
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static String abbreviate(String s) {
    return s.length() <= 24 ? s : s.substring(0, 21) + "...";
  }

  /** One name's counters and latency histogram. */
  private static final class PerName {
    private final LongAdder calls = new LongAdder();
    private final LongAdder committed = new LongAdder();
    private final LongAdder rolledBack = new LongAdder();
    private final LongAdder gaveUp = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder statements = new LongAdder();
    private final LongAdder databaseNanos = new LongAdder();
    private final LongAdder idleNanos = new LongAdder();
    private final AtomicLong max = new AtomicLong();
    private final AtomicLongArray histogram = new AtomicLongArray(Histogram.BUCKETS);

    void add(TransactionStats s) {
      calls.increment();
      switch (s.outcome()) {
        case COMMITTED:
        case RESOLVED:
          committed.increment();
          break;
        case GAVE_UP:
          gaveUp.increment();
          break;
        case UNKNOWN:
          unknown.increment();
          break;
        default:
          rolledBack.increment();
          break;
      }
      attempts.add(s.attempts());
      statements.add(s.statements());
      databaseNanos.add(s.databaseNanos());
      idleNanos.add(s.idleNanos());
      long elapsed = Math.max(0L, s.elapsedNanos());
      histogram.incrementAndGet(Histogram.bucket(elapsed));
      long m = max.get();
      while (elapsed > m && !max.compareAndSet(m, elapsed)) {
        m = max.get();
      }
    }

    Row row(String name) {
      long[] counts = new long[Histogram.BUCKETS];
      long total = 0;
      for (int i = 0; i < counts.length; i++) {
        counts[i] = histogram.get(i);
        total += counts[i];
      }
      long mx = max.get();
      long a = attempts.sum();
      return new Row(name, calls.sum(), committed.sum(), rolledBack.sum(), gaveUp.sum(), unknown.sum(),
          a - calls.sum(), a, Histogram.percentile(counts, total, 0.50, mx), Histogram.percentile(counts, total, 0.90,
          mx), Histogram.percentile(counts, total, 0.99, mx), mx, statements.sum(), databaseNanos.sum(),
          idleNanos.sum());
    }
  }

  /** A log-linear histogram of non-negative longs: 16 buckets per power of two. */
  static final class Histogram {
    static final int BUCKETS = 16 + 59 * 16;

    private Histogram() {
    }

    static int bucket(long v) {
      if (v < 16) {
        return (int) v;
      }
      int exp = 63 - Long.numberOfLeadingZeros(v);
      int mantissa = (int) (v >>> (exp - 4)) - 16;
      return 16 + (exp - 4) * 16 + mantissa;
    }

    /** @return the largest value that falls in bucket {@code i} */
    static long upperBound(int i) {
      if (i < 16) {
        return i;
      }
      int exp = (i - 16) / 16 + 4;
      long m = (i - 16) % 16;
      return ((17 + m) << (exp - 4)) - 1;
    }

    static long percentile(long[] counts, long total, double q, long max) {
      if (total == 0) {
        return 0;
      }
      long rank = Math.max(1, (long) Math.ceil(q * total));
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return Math.min(upperBound(i), max);
        }
      }
      return max;
    }
  }
}
