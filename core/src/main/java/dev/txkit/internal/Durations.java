package dev.txkit.internal;

import java.time.Duration;

/**
 * Duration arithmetic that cannot overflow: a duration longer than {@link #FOREVER} (a century) counts as a
 * century, so that a deadline of {@code start + timeout} in ticker nanoseconds stays comparable with
 * wrap-around arithmetic ({@code now - deadline >= 0}) and a timeout of centuries means "never", not an
 * {@link ArithmeticException} at call time.
 */
public final class Durations {

  /** A century in nanoseconds: longer than any process lives, short enough to add to a ticker reading. */
  public static final long FOREVER = 100L * 365 * 24 * 3600 * 1_000_000_000L;

  /** {@link #FOREVER} as a duration (36,500 days): options and policies take anything longer as this. */
  public static final Duration MAX = Duration.ofNanos(FOREVER);

  private Durations() {
  }

  /**
   * @param d a duration, not negative
   * @return {@code d}, or {@link #MAX} if it is longer
   */
  public static Duration saturated(Duration d) {
    return d.compareTo(MAX) > 0 ? MAX : d;
  }

  /**
   * @param d a duration, not negative
   * @return its length in nanoseconds, at most {@link #FOREVER}
   */
  public static long nanos(Duration d) {
    if (d.compareTo(Duration.ofNanos(FOREVER)) >= 0) {
      return FOREVER;
    }
    return d.toNanos();
  }
}
