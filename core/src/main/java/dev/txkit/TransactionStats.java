package dev.txkit;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one call of a transaction did and cost, reported to {@link TransactionListener#onComplete} once it ended
 * (callback and manual transactions alike, retried or not). All times are in nanoseconds of the engine's
 * {@link Ticker}.
 *
 * <p>The statement figures ({@link #statements}, {@link #databaseNanos}, {@link #idleNanos},
 * {@link #connectionWaitNanos}) are measured only when something needs them: a listener whose
 * {@link TransactionListener#wantsStatistics()} is true, a pitfall warning with a threshold, or a JFR recording
 * of txkit's events. Otherwise they are zero and {@link #measured()} is false; the other components are always
 * filled in.
 *
 * @param transactionName the transaction's name
 * @param attempts attempts made, at least 1
 * @param status how it ended, as hooks see it
 * @param elapsedNanos time from the first attempt's start to the end (hooks included)
 * @param outcome how it ended, and whose decision a rollback was
 * @param isolation the isolation asked for ({@link Isolation#DEFAULT}: the database's default)
 * @param readOnly whether it was read-only
 * @param manual whether it was begun by hand ({@code Transactions.begin}) rather than with a callback
 * @param retriesByKind failed attempts that were retried, by the kind of their failure (unmodifiable; kinds that
 *     caused no retry are absent)
 * @param statements statements executed, over all attempts
 * @param databaseNanos time spent inside JDBC calls (statements, commit and rollback), over all attempts
 * @param idleNanos time the transactions were open outside JDBC calls, from the connection being ready to the
 *     commit or rollback: application work while the transaction held its connection and locks
 * @param connectionWaitNanos time spent waiting for connections, over all attempts
 * @param measured whether the statement figures were measured
 * @param concurrencyLimit the contention control limit of the name when its last attempt was let in, 0 for none
 *     ({@link RetryPolicy.Builder#withContentionControl})
 * @param queueLength attempts of the name waiting to begin when its last attempt was let in (itself excluded)
 * @param queuedNanos time its attempts waited to be let in by contention control or escalation, over all
 *     attempts
 */
public record TransactionStats(
    String transactionName,
    int attempts,
    CompletionStatus status,
    long elapsedNanos,
    Outcome outcome,
    Isolation isolation,
    boolean readOnly,
    boolean manual,
    Map<FailureKind, Integer> retriesByKind,
    int statements,
    long databaseNanos,
    long idleNanos,
    long connectionWaitNanos,
    boolean measured,
    int concurrencyLimit,
    int queueLength,
    long queuedNanos) {

  /**
   * Creates the statistics.
   *
   * @param transactionName the transaction's name
   * @param attempts attempts made, at least 1
   * @param status how it ended, as hooks see it
   * @param elapsedNanos time from the first attempt's start to the end
   * @param outcome how it ended, and whose decision a rollback was
   * @param isolation the isolation asked for
   * @param readOnly whether it was read-only
   * @param manual whether it was begun by hand
   * @param retriesByKind retried failed attempts by failure kind (copied)
   * @param statements statements executed
   * @param databaseNanos time inside JDBC calls
   * @param idleNanos time open outside JDBC calls
   * @param connectionWaitNanos time waiting for connections
   * @param measured whether the statement figures were measured
   * @param concurrencyLimit the name's contention control limit, 0 for none
   * @param queueLength attempts of the name waiting when its last attempt was let in
   * @param queuedNanos time waited to be let in
   * @throws NullPointerException if a reference component is null
   * @throws IllegalArgumentException if {@code attempts} is below 1
   */
  public TransactionStats {
    Objects.requireNonNull(transactionName, "transactionName");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(isolation, "isolation");
    Objects.requireNonNull(retriesByKind, "retriesByKind");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
    retriesByKind = retriesByKind.isEmpty() ? Map.of()
        : Collections.unmodifiableMap(new EnumMap<>(retriesByKind));
  }

  /**
   * Statistics without contention control figures (no limit, nothing queued).
   *
   * @param transactionName the transaction's name
   * @param attempts attempts made, at least 1
   * @param status how it ended, as hooks see it
   * @param elapsedNanos time from the first attempt's start to the end
   * @param outcome how it ended, and whose decision a rollback was
   * @param isolation the isolation asked for
   * @param readOnly whether it was read-only
   * @param manual whether it was begun by hand
   * @param retriesByKind retried failed attempts by failure kind (copied)
   * @param statements statements executed
   * @param databaseNanos time inside JDBC calls
   * @param idleNanos time open outside JDBC calls
   * @param connectionWaitNanos time waiting for connections
   * @param measured whether the statement figures were measured
   */
  public TransactionStats(String transactionName, int attempts, CompletionStatus status, long elapsedNanos,
      Outcome outcome, Isolation isolation, boolean readOnly, boolean manual, Map<FailureKind, Integer> retriesByKind,
      int statements, long databaseNanos, long idleNanos, long connectionWaitNanos, boolean measured) {
    this(transactionName, attempts, status, elapsedNanos, outcome, isolation, readOnly, manual, retriesByKind,
        statements, databaseNanos, idleNanos, connectionWaitNanos, measured, 0, 0, 0L);
  }

  /** @return failed attempts that were retried, of any kind */
  public int retries() {
    int n = 0;
    for (int r : retriesByKind.values()) {
      n += r;
    }
    return n;
  }
}
