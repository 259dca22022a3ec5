package dev.txkit.benchmarks.contention;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What one thread of a run observed. Confined to its thread until the run ends; then merged.
 */
public final class Recorder {

  private static final ThreadLocal<Recorder> CURRENT = new ThreadLocal<>();

  private final long windowEnd;
  long calls;
  long commitsInWindow;
  long commits;
  long declined;
  long attempts;
  private long[] latencies = new long[1024];
  private int latencyCount;
  final Map<String, Long> callerErrors = new TreeMap<>();
  final Map<String, Long> abortedAttempts = new TreeMap<>();

  Recorder(long windowEnd) {
    this.windowEnd = windowEnd;
  }

  /**
   * The recorder of the calling thread, for listener callbacks.
   *
   * @return the recorder, or null outside a measured thread
   */
  static @Nullable Recorder current() {
    return CURRENT.get();
  }

  void bind() {
    CURRENT.set(this);
  }

  void unbind() {
    CURRENT.remove();
  }

  /** An attempt started (counted by the strategies, never taken from txkit's own statistics). */
  public void attempt() {
    attempts++;
  }

  /**
   * An attempt failed and the strategy will retry it.
   *
   * @param failure why
   */
  public void aborted(Throwable failure) {
    abortedAttempts.merge(Failures.label(failure), 1L, Long::sum);
  }

  void done(long startNanos, long endNanos, boolean committed) {
    calls++;
    if (committed) {
      commits++;
      if (endNanos <= windowEnd) {
        commitsInWindow++;
      }
    } else {
      declined++;
    }
    latency(endNanos - startNanos);
  }

  void failed(long startNanos, long endNanos, Throwable failure) {
    calls++;
    callerErrors.merge(Failures.label(failure), 1L, Long::sum);
    latency(endNanos - startNanos);
  }

  private void latency(long nanos) {
    if (latencyCount == latencies.length) {
      latencies = Arrays.copyOf(latencies, latencyCount * 2);
    }
    latencies[latencyCount++] = nanos;
  }

  long[] latencies() {
    return Arrays.copyOf(latencies, latencyCount);
  }
}
