package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.RetryPolicy;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Whether a failed attempt is retried, and after how long: a pure function of the failure, the policy, the
 * attempt count and the clock readings it is given (tested like the backoff maths).
 *
 * @param retry whether to retry
 * @param delay how long to wait first ({@code ZERO} when not retrying)
 * @param reason why not, when not retrying
 * @param timedOut whether the call's deadline is why (the failure is then reported as a timeout)
 */
public record RetryDecision(boolean retry, Duration delay, @Nullable String reason, boolean timedOut) {

  /** What a failed attempt looked like, and where the call stands. */
  public record Failed(
      Classification classification,
      boolean unknownOutcome,
      boolean deadlinePassed,
      int attempt,
      long now,
      long start,
      boolean hasDeadline,
      long deadline,
      long timeoutMillis,
      boolean idempotent,
      int retriesLeftInTree,
      String rootName) {
  }

  private static RetryDecision no(String reason, boolean timedOut) {
    return new RetryDecision(false, Duration.ZERO, reason, timedOut);
  }

  /**
   * Decides.
   *
   * @param f the failed attempt
   * @param policy the call's retry policy
   * @param random jitter in [0, 1); read only if a retry is considered
   * @return the decision
   */
  public static RetryDecision decide(Failed f, RetryPolicy policy, DoubleSupplier random) {
    if (f.deadlinePassed()) {
      return no("the transaction's timeout of " + f.timeoutMillis() + " ms has passed", true);
    }
    Classification c = f.classification();
    if (f.unknownOutcome()) {
      if (!f.idempotent()) {
        return no("the commit's outcome is unknown and the transaction is not declared idempotent", false);
      }
      if (!policy.retries(FailureKind.CONNECTION_LOST)) {
        return no("the retry policy does not retry lost connections", false);
      }
    } else if (!policy.retries(c.kind())) {
      return no("the retry policy does not retry " + c.kind(), false);
    }
    if (f.attempt() >= policy.maxAttempts()) {
      return no("all " + policy.maxAttempts() + " attempts of the retry policy were used", false);
    }
    if (f.retriesLeftInTree() <= 0) {
      return no("the outermost transaction '" + f.rootName() + "' has used all the retries of its retry policy, "
          + "which also bound the retries of the REQUIRES_NEW transactions it runs", false);
    }
    Duration delay = policy.delayAfter(f.attempt(), random.getAsDouble());
    long wakeUp = f.now() + Durations.nanos(delay);
    if (f.hasDeadline() && wakeUp - f.deadline() >= 0) {
      return no("the transaction's timeout of " + f.timeoutMillis() + " ms leaves no time for another attempt", true);
    }
    Duration maxDuration = policy.maxDuration();
    if (maxDuration != null && wakeUp - f.start() > Durations.nanos(maxDuration)) {
      return no("the retry policy's maximum duration of " + maxDuration.toMillis() + " ms would be exceeded", false);
    }
    return new RetryDecision(true, delay, null, false);
  }
}
