package dev.txkit;

import java.time.Duration;

/**
 * Waits between attempts. Injected so that tests never sleep (see {@code txkit-testing}'s fake sleeper).
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Waits for the given time.
   *
   * @param duration how long; zero or positive
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * The real sleeper, {@link Thread#sleep(long, int)}.
   *
   * @return the system sleeper
   */
  static Sleeper system() {
    return duration -> {
      long nanos = duration.toNanos();
      if (nanos > 0) {
        Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
      }
    };
  }
}
