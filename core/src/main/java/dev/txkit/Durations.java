package dev.txkit;

import java.time.Duration;

/**
 * Keeps the durations of options and policies within what nanosecond arithmetic on a {@link Ticker} can hold:
 * {@code Duration.toNanos()} overflows above about 292 years, and a deadline computed from it would fail at call
 * time, possibly hiding the failure it was computing a retry for.
 */
final class Durations {

  /**
   * The longest duration txkit works with, 100 years (36,500 days). Anything longer means "practically forever"
   * and is taken as this. A start time plus this, and the differences txkit takes between such times, stay far
   * inside a {@code long} of nanoseconds.
   */
  static final Duration MAX = Duration.ofDays(36_500);

  private Durations() {
  }

  /**
   * @param d a duration, not negative
   * @return {@code d}, or {@link #MAX} if it is longer
   */
  static Duration saturated(Duration d) {
    return d.compareTo(MAX) > 0 ? MAX : d;
  }
}
