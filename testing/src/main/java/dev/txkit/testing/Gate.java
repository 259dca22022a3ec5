package dev.txkit.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pause at a fault point, to replay an interleaving deterministically: the thread whose call reaches the gate
 * waits there until the test {@linkplain #release() releases} it.
 *
 * <pre>{@code
 * Gate gate = faults.gate(Point.COMMIT_BEFORE, Trigger.threadNamed("writer"));
 * writer.start();
 * gate.awaitArrival();          // the writer is about to commit
 * ... do something concurrently ...
 * gate.release();               // let it commit
 * }</pre>
 *
 * <p>A held thread gives up after {@link #maxPause} (default 30 s) with an {@link IllegalStateException}, so a
 * test that forgets to release cannot hang forever. Thread-safe.
 */
public final class Gate {

  private final String description;
  private final Duration maxPause;
  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicInteger arrivals = new AtomicInteger();

  Gate(String description, Duration maxPause) {
    this.description = description;
    this.maxPause = maxPause;
  }

  void arrive() {
    arrivals.incrementAndGet();
    arrived.countDown();
    try {
      if (!released.await(maxPause.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("The gate (" + description + ") held thread '"
            + Thread.currentThread().getName() + "' for " + maxPause.toMillis() + " ms without being released; "
            + "call gate.release() in the test");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while paused at the gate (" + description + ")", e);
    }
  }

  /**
   * Waits up to 10 seconds for a call to reach the gate.
   *
   * @throws AssertionError if none did
   */
  public void awaitArrival() {
    awaitArrival(Duration.ofSeconds(10));
  }

  /**
   * Waits for a call to reach the gate.
   *
   * @param timeout how long to wait
   * @throws AssertionError if no call arrived in time
   */
  public void awaitArrival(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    try {
      if (!arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("No call reached the gate (" + description + ") within " + timeout.toMillis()
            + " ms; check its point and triggers");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for the gate (" + description + ")", e);
    }
  }

  /** Lets the held call (and every later one) pass. */
  public void release() {
    released.countDown();
  }

  /** @return whether {@link #release()} was called */
  public boolean isReleased() {
    return released.getCount() == 0;
  }

  /** @return how many calls reached the gate */
  public int arrivals() {
    return arrivals.get();
  }

  /** @return the longest a call waits before giving up */
  public Duration maxPause() {
    return maxPause;
  }

  @Override
  public String toString() {
    return "Gate[" + description + ", arrivals=" + arrivals.get() + ", released=" + isReleased() + "]";
  }
}
