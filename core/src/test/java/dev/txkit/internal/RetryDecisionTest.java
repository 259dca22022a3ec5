package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.RetryPolicy;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The retry decision is a pure function of what it is given: checked case by case, like the backoff maths. */
class RetryDecisionTest {

  private static final Classification DEADLOCK = new Classification(FailureKind.DEADLOCK, FailureScope.TRANSACTION);
  private static final Classification UNIQUE =
      new Classification(FailureKind.CONSTRAINT_VIOLATION, FailureScope.STATEMENT);
  private static final long MS = 1_000_000L;
  private static final DoubleSupplier HALF = () -> 0.5;
  private static final DoubleSupplier NEVER = () -> {
    throw new AssertionError("no random number is needed when not retrying");
  };

  private static RetryDecision.Failed failed(Classification c, int attempt) {
    return new RetryDecision.Failed(c, false, false, attempt, 100 * MS, 0, false, 0, 0, false, 9, "t");
  }

  @Test
  void aRetryableFailureIsRetriedAfterTheJitteredBackoff() {
    RetryDecision d = RetryDecision.decide(failed(DEADLOCK, 2), RetryPolicy.defaults(), () -> 0.25);
    assertTrue(d.retry());
    assertEquals(RetryPolicy.defaults().delayAfter(2, 0.25), d.delay());
    assertNull(d.reason());
    assertFalse(d.timedOut());
  }

  @Test
  void aKindThePolicyDoesNotRetryGivesUpWithoutDrawingARandomNumber() {
    RetryDecision d = RetryDecision.decide(failed(UNIQUE, 1), RetryPolicy.defaults(), NEVER);
    assertFalse(d.retry());
    assertEquals(Duration.ZERO, d.delay());
    assertEquals("the retry policy does not retry CONSTRAINT_VIOLATION", d.reason());
  }

  @Test
  void theLastAttemptGivesUp() {
    RetryPolicy three = RetryPolicy.builder().withMaxAttempts(3).build();
    assertTrue(RetryDecision.decide(failed(DEADLOCK, 2), three, HALF).retry());
    RetryDecision d = RetryDecision.decide(failed(DEADLOCK, 3), three, NEVER);
    assertEquals("all 3 attempts of the retry policy were used", d.reason());
  }

  @Test
  void aPassedDeadlineGivesUpAsATimeoutWhateverThePolicyRetries() {
    RetryPolicy everything = RetryPolicy.builder().retryOn(FailureKind.DEADLOCK, FailureKind.QUERY_TIMEOUT,
        FailureKind.LOCK_TIMEOUT).build();
    RetryDecision d = RetryDecision.decide(new RetryDecision.Failed(DEADLOCK, false, true, 1, 100 * MS, 0, true,
        90 * MS, 90, false, 9, "t"), everything, NEVER);
    assertFalse(d.retry());
    assertTrue(d.timedOut());
    assertEquals("the transaction's timeout of 90 ms has passed", d.reason());
  }

  @Test
  void noRetryStartsWhenTheBackoffWouldEndAfterTheDeadline() {
    RetryPolicy fixed = RetryPolicy.builder().withBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .withJitter(false).build();
    // now 100 ms, deadline 149 ms: waking at 150 ms is too late
    RetryDecision late = RetryDecision.decide(new RetryDecision.Failed(DEADLOCK, false, false, 1, 100 * MS, 0, true,
        149 * MS, 149, false, 9, "t"), fixed, HALF);
    assertFalse(late.retry());
    assertTrue(late.timedOut());
    assertEquals("the transaction's timeout of 149 ms leaves no time for another attempt", late.reason());
    RetryDecision inTime = RetryDecision.decide(new RetryDecision.Failed(DEADLOCK, false, false, 1, 100 * MS, 0,
        true, 151 * MS, 151, false, 9, "t"), fixed, HALF);
    assertTrue(inTime.retry());
    assertEquals(Duration.ofMillis(50), inTime.delay());
  }

  @Test
  void theMaximumDurationCountsFromTheStartOfTheCall() {
    RetryPolicy bounded = RetryPolicy.builder().withBackoff(Duration.ofMillis(10), Duration.ofSeconds(1))
        .withJitter(false).withMaxDuration(Duration.ofMillis(105)).build();
    RetryDecision d = RetryDecision.decide(failed(DEADLOCK, 1), bounded, HALF);
    assertFalse(d.retry(), "waking at 110 ms is past 105 ms after the start");
    assertEquals("the retry policy's maximum duration of 105 ms would be exceeded", d.reason());
    assertFalse(d.timedOut());
  }

  @Test
  void anUnknownOutcomeIsRetriedOnlyWhenIdempotentAndLostConnectionsAreRetried() {
    Classification unknown = new Classification(FailureKind.OUTCOME_UNKNOWN, FailureScope.TRANSACTION);
    RetryDecision notIdempotent = RetryDecision.decide(new RetryDecision.Failed(unknown, true, false, 1, 0, 0,
        false, 0, 0, false, 9, "t"), RetryPolicy.defaults(), NEVER);
    assertEquals("the commit's outcome is unknown and the transaction is not declared idempotent",
        notIdempotent.reason());
    RetryDecision idempotent = RetryDecision.decide(new RetryDecision.Failed(unknown, true, false, 1, 0, 0, false,
        0, 0, true, 9, "t"), RetryPolicy.defaults(), HALF);
    assertTrue(idempotent.retry());
    RetryDecision noLost = RetryDecision.decide(new RetryDecision.Failed(unknown, true, false, 1, 0, 0, false, 0, 0,
        true, 9, "t"), RetryPolicy.builder().abortOn(FailureKind.CONNECTION_LOST).build(), NEVER);
    assertEquals("the retry policy does not retry lost connections", noLost.reason());
  }

  @Test
  void theOutermostCallsBudgetBoundsTheRetriesOfNestedTransactions() {
    RetryDecision d = RetryDecision.decide(new RetryDecision.Failed(DEADLOCK, false, false, 1, 0, 0, false, 0, 0,
        false, 0, "checkout"), RetryPolicy.defaults(), NEVER);
    assertFalse(d.retry());
    assertTrue(d.reason().contains("'checkout' has used all the retries"), d.reason());
  }
}
