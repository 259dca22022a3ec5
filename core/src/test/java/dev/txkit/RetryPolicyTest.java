package dev.txkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void defaultsAreTenAttemptsFiveMillisToOneSecondWithJitterOnTheTransientKinds() {
    RetryPolicy p = RetryPolicy.defaults();
    assertEquals(10, p.maxAttempts());
    assertEquals(Duration.ofMillis(5), p.delay());
    assertEquals(Duration.ofSeconds(1), p.maxDelay());
    assertTrue(p.jitter());
    assertNull(p.maxDuration());
    assertEquals(Set.of(FailureKind.SERIALIZATION_FAILURE, FailureKind.DEADLOCK, FailureKind.CONNECTION_LOST),
        p.retryOn());
    assertTrue(p.retries(FailureKind.DEADLOCK));
    assertFalse(p.retries(FailureKind.LOCK_TIMEOUT), "lock timeouts are opt-in");
    assertFalse(p.retries(FailureKind.CONSTRAINT_VIOLATION));
    assertFalse(p.retries(FailureKind.OUTCOME_UNKNOWN));
    assertNull(p.onRetry());
    assertNull(p.onGiveUp());
  }

  @Test
  void builderStartsFromTheDefaultsAndNoneIsOneAttempt() {
    RetryPolicy built = RetryPolicy.builder().build();
    assertEquals(RetryPolicy.defaults().maxAttempts(), built.maxAttempts());
    assertEquals(RetryPolicy.defaults().retryOn(), built.retryOn());
    assertEquals(1, RetryPolicy.none().maxAttempts());
  }

  @Test
  void delayWithoutJitterDoublesFromDelayUpToTheCap() {
    RetryPolicy p = RetryPolicy.builder().withBackoff(Duration.ofMillis(5), Duration.ofSeconds(1))
        .withJitter(false).build();
    assertEquals(Duration.ofMillis(5), p.delayAfter(1, 0.0));
    assertEquals(Duration.ofMillis(10), p.delayAfter(2, 0.0));
    assertEquals(Duration.ofMillis(20), p.delayAfter(3, 0.99));
    assertEquals(Duration.ofMillis(640), p.delayAfter(8, 0.5));
    assertEquals(Duration.ofSeconds(1), p.delayAfter(9, 0.5), "5 ms * 2^8 = 1280 ms is capped");
    assertEquals(Duration.ofSeconds(1), p.delayAfter(30, 0.5));
  }

  @Test
  void fullJitterMultipliesTheExponentialDelayByTheRandomNumber() {
    RetryPolicy p = RetryPolicy.defaults();
    assertEquals(Duration.ZERO, p.delayAfter(1, 0.0));
    assertEquals(Duration.ofNanos(2_500_000), p.delayAfter(1, 0.5));
    assertEquals(Duration.ofMillis(15), p.delayAfter(3, 0.75));
    assertEquals(Duration.ofMillis(250), p.delayAfter(12, 0.25), "cap applies before jitter");
  }

  @Test
  void largeAttemptNumbersDoNotOverflow() {
    assertEquals(Duration.ofSeconds(1), RetryPolicy.defaults().toBuilder().withJitter(false).build()
        .delayAfter(1000, 0.5));
    assertEquals(Duration.ofMillis(500), RetryPolicy.defaults().delayAfter(1000, 0.5));
    // a cap beyond 100 years is taken as 100 years (issue 8: longer ones overflow the engine's nanosecond sums)
    Duration century = Duration.ofDays(36_500);
    RetryPolicy huge = RetryPolicy.builder()
        .withBackoff(Duration.ofNanos(3), Duration.ofNanos(Long.MAX_VALUE)).withJitter(false).build();
    assertEquals(century, huge.maxDelay());
    assertEquals(century, huge.delayAfter(1000, 0.0));
    assertEquals(century, huge.delayAfter(Integer.MAX_VALUE, 0.0));
    assertEquals(Duration.ofNanos(3L << 59), huge.delayAfter(60, 0.0));
    RetryPolicy hugeJitter = huge.toBuilder().withJitter(true).build();
    Duration d = hugeJitter.delayAfter(1000, 0.5);
    assertFalse(d.isNegative());
    assertEquals(century.toNanos() / 2, d.toNanos(), 1024.0);
  }

  @Test
  void delayAfterRejectsBadArguments() {
    RetryPolicy p = RetryPolicy.defaults();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.delayAfter(0, 0.5));
    assertEquals("failedAttempts must be at least 1, was 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> p.delayAfter(1, 1.0));
    assertThrows(IllegalArgumentException.class, () -> p.delayAfter(1, -0.1));
    assertThrows(IllegalArgumentException.class, () -> p.delayAfter(1, Double.NaN));
  }

  @Test
  void builderValidationMessagesSayWhatIsWrong() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RetryPolicy.builder().withMaxAttempts(0));
    assertEquals("maxAttempts must be at least 1 (1 = no retries), was 0", e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> RetryPolicy.builder().withBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1)));
    assertEquals("delay must not be negative, was PT-0.001S", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ofMillis(-2)));
    assertTrue(e.getMessage().startsWith("maxDelay must not be negative"), e.getMessage());
    assertThrows(NullPointerException.class, () -> RetryPolicy.builder().withBackoff(null, Duration.ZERO));

    RetryPolicy.Builder b = RetryPolicy.builder().withBackoff(Duration.ofMillis(10), Duration.ofMillis(1));
    e = assertThrows(IllegalArgumentException.class, b::build);
    assertEquals("maxDelay (PT0.001S) must not be shorter than delay (PT0.01S)", e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> RetryPolicy.builder().retryOn(FailureKind.OUTCOME_UNKNOWN));
    assertTrue(e.getMessage().startsWith("OUTCOME_UNKNOWN cannot be retried by policy"), e.getMessage());
    assertTrue(e.getMessage().contains("idempotent(true)"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> RetryPolicy.builder().withMaxDuration(Duration.ZERO));
    assertEquals("maxDuration must be positive, was PT0S", e.getMessage());
    assertThrows(NullPointerException.class, () -> RetryPolicy.builder().retryOn((FailureKind) null));
    assertThrows(NullPointerException.class, () -> RetryPolicy.builder().abortOn((FailureKind) null));
  }

  @Test
  void zeroBackoffIsAllowed() {
    RetryPolicy p = RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).build();
    assertEquals(Duration.ZERO, p.delayAfter(5, 0.5));
  }

  @Test
  void buildCopiesSoChangingTheBuilderLaterDoesNotChangeThePolicy() {
    RetryPolicy.Builder b = RetryPolicy.builder().withMaxAttempts(3);
    RetryPolicy built = b.build();
    b.withMaxAttempts(7).retryOn(FailureKind.LOCK_TIMEOUT).abortOn(FailureKind.DEADLOCK)
        .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)).withJitter(false)
        .withMaxDuration(Duration.ofSeconds(3));
    assertEquals(3, built.maxAttempts());
    assertEquals(Set.of(FailureKind.SERIALIZATION_FAILURE, FailureKind.DEADLOCK, FailureKind.CONNECTION_LOST),
        built.retryOn());
    assertEquals(Duration.ofMillis(5), built.delay());
    assertTrue(built.jitter());
    assertNull(built.maxDuration());

    RetryPolicy second = b.build();
    assertEquals(7, second.maxAttempts());
    assertTrue(second.retries(FailureKind.LOCK_TIMEOUT));
    assertFalse(second.retries(FailureKind.DEADLOCK));
  }

  @Test
  void toBuilderStartsFromThePolicyAndDoesNotChangeIt() {
    Consumer<RetryEvent> onRetry = e -> { };
    Consumer<GiveUpEvent> onGiveUp = e -> { };
    RetryPolicy p = RetryPolicy.builder().withMaxAttempts(4).withBackoff(Duration.ofMillis(2), Duration.ofMillis(8))
        .withJitter(false).withMaxDuration(Duration.ofSeconds(1)).retryOn(FailureKind.LOCK_TIMEOUT)
        .onRetry(onRetry).onGiveUp(onGiveUp).build();
    RetryPolicy copy = p.toBuilder().build();
    assertEquals(4, copy.maxAttempts());
    assertEquals(Duration.ofMillis(2), copy.delay());
    assertEquals(Duration.ofMillis(8), copy.maxDelay());
    assertFalse(copy.jitter());
    assertEquals(Duration.ofSeconds(1), copy.maxDuration());
    assertEquals(p.retryOn(), copy.retryOn());
    assertSame(onRetry, copy.onRetry());
    assertSame(onGiveUp, copy.onGiveUp());

    p.toBuilder().abortOn(FailureKind.values()).withMaxAttempts(1);
    assertEquals(4, p.maxAttempts());
    assertTrue(p.retries(FailureKind.LOCK_TIMEOUT));

    RetryPolicy nothing = p.toBuilder().abortOn(FailureKind.values()).build();
    assertTrue(nothing.retryOn().isEmpty());
    assertTrue(nothing.toBuilder().retryOn(FailureKind.DEADLOCK).build().retries(FailureKind.DEADLOCK));
  }

  @Test
  void retryOnAddsAndAbortOnRemovesKinds() {
    RetryPolicy p = RetryPolicy.builder().retryOn(FailureKind.LOCK_TIMEOUT, FailureKind.CONSTRAINT_VIOLATION)
        .abortOn(FailureKind.CONNECTION_LOST).build();
    assertEquals(Set.of(FailureKind.SERIALIZATION_FAILURE, FailureKind.DEADLOCK, FailureKind.LOCK_TIMEOUT,
        FailureKind.CONSTRAINT_VIOLATION), p.retryOn());
    assertTrue(p.retries(FailureKind.CONSTRAINT_VIOLATION));
    assertFalse(p.retries(FailureKind.CONNECTION_LOST));
  }

  @Test
  void retryOnSetIsUnmodifiable() {
    Set<FailureKind> kinds = RetryPolicy.defaults().retryOn();
    assertThrows(UnsupportedOperationException.class, () -> kinds.add(FailureKind.LOCK_TIMEOUT));
    assertThrows(UnsupportedOperationException.class, () -> kinds.remove(FailureKind.DEADLOCK));
    assertThrows(UnsupportedOperationException.class, kinds::clear);
    assertTrue(RetryPolicy.defaults().retries(FailureKind.DEADLOCK));
  }
}
