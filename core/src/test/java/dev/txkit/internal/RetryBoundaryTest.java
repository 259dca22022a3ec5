package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The retry decision and the backoff exactly at their limits: a wait that ends on the deadline, a wait that ends
 * on the maximum duration, a delay that reaches the cap. Written for the boundary mutants the mutation run
 * (profile {@code mutation}) found alive in {@code RetryDecision} and {@code RetryPolicy.delayAfter}.
 */
class RetryBoundaryTest {

  private static final Classification DEADLOCK = new Classification(FailureKind.DEADLOCK, FailureScope.TRANSACTION);
  private static final long MS = 1_000_000L;
  private static final RetryPolicy FIXED_50 = RetryPolicy.builder()
      .withBackoff(Duration.ofMillis(50), Duration.ofMillis(50)).withJitter(false).build();

  private static RetryDecision decide(long nowMs, long deadlineMs, RetryPolicy policy) {
    return RetryDecision.decide(new RetryDecision.Failed(DEADLOCK, false, false, 1, nowMs * MS, 0, deadlineMs > 0,
        deadlineMs * MS, deadlineMs, false, 9, "t"), policy, () -> 0.5);
  }

  @Test
  void aWaitThatWouldEndExactlyOnTheDeadlineIsNotStarted() {
    RetryDecision atDeadline = decide(50, 100, FIXED_50);
    assertFalse(atDeadline.retry());
    assertTrue(atDeadline.timedOut());
    assertEquals("the transaction's timeout of 100 ms leaves no time for another attempt", atDeadline.reason());
    RetryDecision justBefore = RetryDecision.decide(new RetryDecision.Failed(DEADLOCK, false, false, 1,
        50 * MS - 1, 0, true, 100 * MS, 100, false, 9, "t"), FIXED_50, () -> 0.5);
    assertTrue(justBefore.retry(), "one nanosecond earlier leaves that nanosecond for the next attempt");
  }

  @Test
  void aWaitThatEndsExactlyOnTheMaximumDurationIsAllowed() {
    RetryPolicy max = FIXED_50.toBuilder().withMaxDuration(Duration.ofMillis(100)).build();
    assertTrue(decide(50, 0, max).retry(), "waking at 100 ms is within a maximum of 100 ms");
    RetryDecision over = RetryDecision.decide(new RetryDecision.Failed(DEADLOCK, false, false, 1, 50 * MS + 1, 0,
        false, 0, 0, false, 9, "t"), max, () -> 0.5);
    assertFalse(over.retry());
    assertEquals("the retry policy's maximum duration of 100 ms would be exceeded", over.reason());
  }

  @Test
  void theBackoffDoublesUpToItsCapAndStaysThere() {
    RetryPolicy p = RetryPolicy.builder().withBackoff(Duration.ofMillis(10), Duration.ofMillis(40))
        .withJitter(false).build();
    assertEquals(Duration.ofMillis(10), p.delayAfter(1, 0.5));
    assertEquals(Duration.ofMillis(20), p.delayAfter(2, 0.5));
    assertEquals(Duration.ofMillis(40), p.delayAfter(3, 0.5), "exactly the cap");
    assertEquals(Duration.ofMillis(40), p.delayAfter(4, 0.5));
    assertEquals(Duration.ofMillis(40), p.delayAfter(60, 0.5), "no overflow after many attempts");
    RetryPolicy odd = RetryPolicy.builder().withBackoff(Duration.ofNanos(2), Duration.ofNanos(5)).withJitter(false)
        .build();
    assertEquals(Duration.ofNanos(4), odd.delayAfter(2, 0.5), "doubled while under half the cap");
    assertEquals(Duration.ofNanos(5), odd.delayAfter(3, 0.5), "then the cap");
  }
}
