package dev.txkit.testing;

import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sleeper that never sleeps: it records each requested wait and advances its own {@link Ticker} by it, so
 * retry tests run instantly and can assert the exact backoff. Thread-safe.
 */
public final class FakeSleeper implements Sleeper, Ticker {

  private final List<Duration> sleeps = new ArrayList<>();
  private long nanos;

  @Override
  public synchronized void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping");
    }
    sleeps.add(duration);
    nanos += duration.toNanos();
  }

  @Override
  public synchronized long read() {
    return nanos;
  }

  /**
   * Moves the fake clock forward.
   *
   * @param d how far
   */
  public synchronized void advance(Duration d) {
    nanos += d.toNanos();
  }

  /** @return the waits requested so far, in order */
  public synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }
}
