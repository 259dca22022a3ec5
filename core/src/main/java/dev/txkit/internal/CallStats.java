package dev.txkit.internal;

import org.jspecify.annotations.Nullable;

/**
 * What one {@link Call} measured and warned about, summed over its attempts. Exists only for calls that something
 * observes (a listener that wants statistics, a pitfall, a JFR recording); see {@link Engine#newCallStats}.
 * Confined to the call's thread.
 */
final class CallStats {

  /** Whether the clock is read around statements, commits and connections (else only pitfall state is kept). */
  final boolean clock;
  int statements;
  long databaseNanos;
  long idleNanos;
  long connectionNanos;
  /** Where the call began, when a pitfall is watched for. */
  @Nullable StackTraceElement begunAt;
  /** The JFR transaction event, begun with the call, when a recording was running. */
  @Nullable Object jfrEvent;
  boolean warnedLong;
  boolean warnedIdle;
  boolean warnedBlocking;

  CallStats(boolean clock) {
    this.clock = clock;
  }
}
