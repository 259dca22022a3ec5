package dev.txkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TxOptionsTest {

  @Test
  void defaults() {
    TxOptions o = TxOptions.defaults();
    assertEquals(Isolation.DEFAULT, o.isolation());
    assertFalse(o.readOnly());
    assertNull(o.timeout());
    assertSame(RetryPolicy.defaults(), o.retry());
    assertEquals(Propagation.NESTED, o.propagation());
    assertEquals("transaction", o.name());
    assertEquals(TxOptions.DEFAULT_NAME, o.name());
    assertFalse(o.idempotent());
  }

  @Test
  void ofIsolationChangesOnlyTheIsolation() {
    TxOptions o = TxOptions.of(Isolation.SERIALIZABLE);
    assertEquals(Isolation.SERIALIZABLE, o.isolation());
    assertEquals(Propagation.NESTED, o.propagation());
    assertSame(RetryPolicy.defaults(), o.retry());
    assertSame(TxOptions.defaults(), TxOptions.of(Isolation.DEFAULT));
    assertThrows(NullPointerException.class, () -> TxOptions.of(null));
  }

  @Test
  void toBuilderRoundTripKeepsEverySetting() {
    RetryPolicy retry = RetryPolicy.builder().withMaxAttempts(3).build();
    TxOptions o = TxOptions.builder().isolation(Isolation.REPEATABLE_READ).readOnly(true)
        .timeout(Duration.ofSeconds(2)).retry(retry).propagation(Propagation.REQUIRES_NEW).name("report")
        .idempotent(true).build();
    TxOptions copy = o.toBuilder().build();
    assertEquals(Isolation.REPEATABLE_READ, copy.isolation());
    assertTrue(copy.readOnly());
    assertEquals(Duration.ofSeconds(2), copy.timeout());
    assertSame(retry, copy.retry());
    assertEquals(Propagation.REQUIRES_NEW, copy.propagation());
    assertEquals("report", copy.name());
    assertTrue(copy.idempotent());

    TxOptions changed = o.toBuilder().name("other").readOnly(false).timeout(null).build();
    assertEquals("other", changed.name());
    assertFalse(changed.readOnly());
    assertNull(changed.timeout());
    assertEquals("report", o.name(), "the original is unchanged");
    assertTrue(o.readOnly());
    assertEquals(Duration.ofSeconds(2), o.timeout());
  }

  @Test
  void buildCopiesSoTheBuilderCanBeReused() {
    TxOptions.Builder b = TxOptions.builder().name("first");
    TxOptions first = b.build();
    b.name("second").isolation(Isolation.SERIALIZABLE);
    assertEquals("first", first.name());
    assertEquals(Isolation.DEFAULT, first.isolation());
    assertEquals("second", b.build().name());
  }

  @Test
  void timeoutMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TxOptions.builder().timeout(Duration.ZERO));
    assertEquals("timeout must be positive (or null for none), was PT0S", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TxOptions.builder().timeout(Duration.ofMillis(-5)));
    assertEquals(Duration.ofNanos(1), TxOptions.builder().timeout(Duration.ofNanos(1)).build().timeout());
  }

  @Test
  void nameMustNotBeBlankOrNull() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TxOptions.builder().name(" \t"));
    assertEquals("name must not be blank", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TxOptions.builder().name(""));
    NullPointerException npe = assertThrows(NullPointerException.class, () -> TxOptions.builder().name(null));
    assertEquals("name", npe.getMessage());
  }

  @Test
  void nullsAreRejectedWithTheArgumentName() {
    assertEquals("isolation",
        assertThrows(NullPointerException.class, () -> TxOptions.builder().isolation(null)).getMessage());
    assertEquals("retry",
        assertThrows(NullPointerException.class, () -> TxOptions.builder().retry(null)).getMessage());
    assertEquals("propagation",
        assertThrows(NullPointerException.class, () -> TxOptions.builder().propagation(null)).getMessage());
  }
}
