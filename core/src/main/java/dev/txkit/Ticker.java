package dev.txkit;

/**
 * A source of monotonic time in nanoseconds, for deadlines and maximum retry durations. Injected so that tests
 * control time. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {

  /**
   * Current time in nanoseconds, with an arbitrary origin.
   *
   * @return the time
   */
  long read();

  /**
   * The real ticker, {@link System#nanoTime()}.
   *
   * @return the system ticker
   */
  static Ticker system() {
    return System::nanoTime;
  }
}
