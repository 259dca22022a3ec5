package dev.txkit.internal;

import dev.txkit.PitfallMode;
import dev.txkit.Pitfalls;
import dev.txkit.TransactionWarning;

/**
 * The clock of one measured attempt: its statements' time and count, its idle time (open outside JDBC calls), and
 * the pitfalls that depend on time (long transaction, idle gap), summed into the call's {@link CallStats}. Exists
 * only when the call is measured. Confined to the attempt's thread.
 */
final class AttemptTiming {

  private final Call<?> call;
  private final int number;
  private final CallStats stats;
  /** When the connection was ready, and when the last statement ended (ticker). */
  private long activeAt;
  private long lastStatementEnd;
  private boolean anyStatement;
  /** Time inside statements while the transaction was open, subtracted from the open time for the idle time. */
  private long statementNanos;
  private boolean openEnded;

  AttemptTiming(Call<?> call, int number, CallStats stats) {
    this.call = call;
    this.number = number;
    this.stats = stats;
  }

  private long now() {
    return call.engine.ticker.read();
  }

  /** The connection is ready: the transaction is open from now. */
  void active() {
    activeAt = now();
  }

  void connectionWaited(long nanos) {
    if (nanos > 0) {
      stats.connectionNanos += nanos;
    }
  }

  /**
   * A statement is about to run: checks the idle gap since the last one and how long the transaction is open.
   *
   * @return the ticker reading to pass to {@link #statementEnded}
   * @throws dev.txkit.PitfallException when a pitfall in fail mode is seen
   */
  long statementStarted() {
    long now = now();
    checkPitfalls(now, false);
    return now;
  }

  void statementEnded(long started) {
    long now = now();
    long d = now - started;
    stats.statements++;
    stats.databaseNanos += d;
    statementNanos += d;
    lastStatementEnd = now;
    anyStatement = true;
  }

  boolean openEnded() {
    return openEnded;
  }

  /**
   * Ends the open period (before the commit or rollback): adds its idle time, and before a commit checks the
   * pitfalls once more.
   *
   * @param checkPitfalls whether a commit of an active attempt follows
   * @param beginning whether the attempt never began (nothing was open)
   * @return the ticker reading, to time the commit or rollback with
   * @throws dev.txkit.PitfallException when a pitfall in fail mode is seen before a commit
   */
  long endOpen(boolean checkPitfalls, boolean beginning) {
    long now = now();
    if (!openEnded && !beginning) {
      openEnded = true;
      stats.idleNanos += Math.max(0L, now - activeAt - statementNanos);
      if (checkPitfalls) {
        checkPitfalls(now, true);
      }
    }
    return now;
  }

  /** Adds the time since {@code started} (a commit or rollback) to the database time. */
  void databaseTime(long started) {
    stats.databaseNanos += now() - started;
  }

  private void checkPitfalls(long now, boolean atCommit) {
    Pitfalls p = call.engine.pitfalls;
    if (p.idleGap() != PitfallMode.OFF && anyStatement && !stats.warnedIdle) {
      long gap = now - lastStatementEnd;
      long limit = Durations.nanos(p.idleGapThreshold());
      if (gap > limit) {
        stats.warnedIdle = true;
        call.engine.pitfall(p.idleGap(), TransactionWarning.Kind.IDLE_GAP, call, number, "transaction was idle for "
            + gap / 1_000_000L + " ms " + (atCommit ? "between its last statement and its commit" : "between two "
            + "statements") + ", longer than the idle gap threshold of " + limit / 1_000_000L + " ms: it held its "
            + "connection and locks while the application did something else. Do slow work (HTTP calls, emails) "
            + "before the transaction or after it: tx.afterCommit(() -> ...) is the place for an email");
      }
    }
    if (p.longTransaction() != PitfallMode.OFF && !stats.warnedLong) {
      long open = now - activeAt;
      long limit = Durations.nanos(p.longTransactionThreshold());
      if (open > limit) {
        stats.warnedLong = true;
        call.engine.pitfall(p.longTransaction(), TransactionWarning.Kind.LONG_TRANSACTION, call, number,
            "transaction has been open for " + open / 1_000_000L + " ms (attempt " + number + "), longer than the "
            + "long transaction threshold of " + limit / 1_000_000L + " ms: long transactions hold locks and "
            + "connections, and block vacuum/purge. Make it shorter, split it, or raise the threshold");
      }
    }
  }
}
