package dev.txkit.internal;

import org.jspecify.annotations.Nullable;

/** What NullAway cannot see on JDK 17 (no JSpecify generics): a type variable's value may be null by design. */
final class Nulls {

  private Nulls() {
  }

  /**
   * Passes a value of a type variable through unchanged. The build registers this method with NullAway
   * ({@code CastToNonNullMethod}): a callback's result is the caller's {@code T}, null if the callback returned null.
   *
   * @param value the value, possibly null
   * @param <T> its type
   * @return the value
   */
  @SuppressWarnings("NullAway")
  static <T> T castToNonNull(@Nullable T value) {
    return value;
  }
}
