package dev.txkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary listener: exact counts and totals, percentiles within a bucket of the true value. */
class TransactionSummaryTest {

  private static TransactionStats stats(String name, Outcome outcome, int attempts, long elapsedMillis) {
    CompletionStatus status = outcome == Outcome.COMMITTED || outcome == Outcome.RESOLVED ? CompletionStatus.COMMITTED
        : outcome == Outcome.UNKNOWN ? CompletionStatus.UNKNOWN : CompletionStatus.ROLLED_BACK;
    return new TransactionStats(name, attempts, status, Duration.ofMillis(elapsedMillis).toNanos(), outcome,
        Isolation.DEFAULT, false, false, attempts > 1 ? Map.of(FailureKind.DEADLOCK, attempts - 1) : Map.of(), 2,
        Duration.ofMillis(1).toNanos(), Duration.ofMillis(3).toNanos(), 0L, true);
  }

  @Test
  void countsOutcomesRetriesAndPercentilesPerName() {
    TransactionSummary summary = new TransactionSummary();
    for (int i = 1; i <= 100; i++) {
      summary.onComplete(stats("transfer", Outcome.COMMITTED, 1, i));
    }
    summary.onComplete(stats("transfer", Outcome.GAVE_UP, 10, 500));
    summary.onComplete(stats("transfer", Outcome.ROLLED_BACK, 1, 2));
    summary.onComplete(stats("audit", Outcome.UNKNOWN, 1, 7));
    summary.onComplete(stats("audit", Outcome.RESOLVED, 2, 9));

    List<TransactionSummary.Row> rows = summary.rows();
    assertEquals(List.of("audit", "transfer"), rows.stream().map(TransactionSummary.Row::name).toList());
    TransactionSummary.Row audit = rows.get(0);
    assertEquals(2, audit.calls());
    assertEquals(1, audit.committed());
    assertEquals(1, audit.unknown());
    assertEquals(1, audit.retries());
    TransactionSummary.Row transfer = rows.get(1);
    assertEquals(102, transfer.calls());
    assertEquals(100, transfer.committed());
    assertEquals(1, transfer.gaveUp());
    assertEquals(1, transfer.rolledBack());
    assertEquals(9, transfer.retries());
    assertEquals(111, transfer.attempts());
    assertEquals(204, transfer.statements());
    assertEquals(Duration.ofMillis(102).toNanos(), transfer.databaseNanos());
    assertEquals(Duration.ofMillis(500).toNanos(), transfer.maxNanos());
    assertWithin(50, transfer.p50Nanos()); // 1, 2, 2, 3, ... 100, 500: the 51st of 102
    assertWithin(91, transfer.p90Nanos());
    assertWithin(100, transfer.p99Nanos());

    String table = summary.table();
    assertTrue(table.lines().count() == 3, table);
    assertTrue(table.contains("transfer") && table.contains("audit"), table);
    summary.reset();
    assertEquals(List.of(), summary.rows());
  }

  /** The percentile lies in the bucket of the true value: at most 1/16 above it, never below. */
  private static void assertWithin(long expectedMillis, long actualNanos) {
    long expected = Duration.ofMillis(expectedMillis).toNanos();
    assertTrue(actualNanos >= expected && actualNanos <= expected + expected / 16,
        "expected about " + expectedMillis + " ms, was " + actualNanos + " ns");
  }

  @Test
  void histogramBucketsCoverEveryLongAndTheirBoundsAreOrdered() {
    assertEquals(0, TransactionSummary.Histogram.bucket(0));
    assertEquals(TransactionSummary.Histogram.BUCKETS - 1, TransactionSummary.Histogram.bucket(Long.MAX_VALUE));
    for (long v : new long[] {1, 15, 16, 17, 31, 32, 1000, 123_456_789, Long.MAX_VALUE / 3}) {
      int b = TransactionSummary.Histogram.bucket(v);
      assertTrue(TransactionSummary.Histogram.upperBound(b) >= v, "upper bound of " + v);
      assertTrue(b == 0 || TransactionSummary.Histogram.upperBound(b - 1) < v, "previous bucket of " + v);
    }
  }
}
