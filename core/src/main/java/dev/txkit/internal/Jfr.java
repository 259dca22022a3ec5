package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionWarning;
import java.time.Duration;

/**
 * txkit's JFR events, when the JDK has {@code jdk.jfr}: a transaction event per call with its statistics, a retry
 * event per retried attempt (its duration is the back-off wait) and a warning event per pitfall. Every reference
 * to {@code jdk.jfr} is in {@link JfrEvents}, loaded only when the module is there, so that txkit runs on a JDK
 * or image without it. While no recording runs, {@link #recording} is false and calls create no event at all; a
 * recording started later (for instance with {@code jcmd <pid> JFR.start}) turns it on. See
 * {@code docs/observability.md}.
 */
final class Jfr {

  /** Whether a JFR recording is running; kept up to date by a recorder listener. */
  static volatile boolean recording;

  private static final boolean AVAILABLE = install();

  private Jfr() {
  }

  private static boolean install() {
    try {
      JfrEvents.listen();
      return true;
    } catch (LinkageError | RuntimeException e) {
      // no jdk.jfr in this runtime (or not readable by this module): no events
      return false;
    }
  }

  /** @return whether the events can be recorded at all in this runtime */
  static boolean available() {
    return AVAILABLE;
  }

  /** @return a begun transaction event, or null when the event is disabled */
  static @org.jspecify.annotations.Nullable Object beginTransaction() {
    return AVAILABLE ? JfrEvents.beginTransaction() : null;
  }

  /**
   * Ends a begun transaction event.
   *
   * @return whether it is to be committed (enabled, and over its threshold)
   */
  static boolean endTransaction(Object event) {
    return JfrEvents.endTransaction(event);
  }

  static void commitTransaction(Object event, TransactionStats stats) {
    JfrEvents.commitTransaction(event, stats);
  }

  /** @return a begun retry event, or null when the event is disabled */
  static @org.jspecify.annotations.Nullable Object beginRetry() {
    return AVAILABLE ? JfrEvents.beginRetry() : null;
  }

  static void commitRetry(Object event, String name, int attempt, Throwable failure, Classification c,
      Duration delay) {
    JfrEvents.commitRetry(event, name, attempt, failure, c, delay);
  }

  static void warning(TransactionWarning w) {
    if (AVAILABLE) {
      JfrEvents.warning(w);
    }
  }
}
