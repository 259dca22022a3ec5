package dev.txkit.benchmarks.contention;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one run of one strategy on one workload at one thread count measured.
 *
 * @param target the database and isolation
 * @param workload the workload's id
 * @param strategy the strategy's id
 * @param threads the number of threads (and pooled connections)
 * @param round the round of the interleaved schedule, from 0
 * @param seconds the measured window
 * @param commitsInWindow calls that committed within the window (goodput's numerator)
 * @param commits all calls that committed, including those that ended after the window
 * @param declined calls the business rule rolled back (a transfer without funds), not errors
 * @param calls all calls made
 * @param attempts all attempts of all calls
 * @param p50Millis median call latency, every call
 * @param p99Millis 99th percentile call latency
 * @param maxMillis longest call
 * @param callerErrors failures that reached the caller, by kind
 * @param abortedAttempts failed attempts that the strategy retried, by kind
 * @param serverDeadlocks growth of the server's deadlock counter during the run, -1 where there is none
 * @param invariant null if the invariant held after the run, otherwise what was wrong
 */
public record RunResult(Target target, String workload, String strategy, int threads, int round, double seconds,
    long commitsInWindow, long commits, long declined, long calls, long attempts, double p50Millis,
    double p99Millis, double maxMillis, Map<String, Long> callerErrors, Map<String, Long> abortedAttempts,
    long serverDeadlocks, @Nullable String invariant) {

  /** @return committed transactions per second within the window */
  public double goodput() {
    return commitsInWindow / seconds;
  }

  /** @return attempts of all calls per committed call (NaN if nothing committed) */
  public double attemptsPerCommit() {
    return commits == 0 ? Double.NaN : (double) attempts / commits;
  }

  /** @return failures that reached callers, all kinds */
  public long errors() {
    return callerErrors.values().stream().mapToLong(Long::longValue).sum();
  }
}
