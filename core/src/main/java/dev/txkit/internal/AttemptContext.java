package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.TxOptions;
import org.jspecify.annotations.Nullable;

/**
 * The state of one attempt, shared between the engine and the user's {@code tx} handle: its number, its
 * owner thread, its deadline, whether it is doomed or rollback-only, and its hooks.
 */
public final class AttemptContext {

  private final TxOptions options;
  private final int attempt;
  private final Thread owner;
  private final long deadlineNanos;
  private final boolean hasDeadline;
  private final Hooks hooks = new Hooks();
  private @Nullable Throwable doomCause;
  private @Nullable Classification doomClassification;
  private boolean rollbackOnly;
  private boolean ended;

  /**
   * @param options the transaction's options
   * @param attempt attempt number, from 1
   * @param hasDeadline whether {@code deadlineNanos} applies
   * @param deadlineNanos the call's deadline in ticker time
   */
  public AttemptContext(TxOptions options, int attempt, boolean hasDeadline, long deadlineNanos) {
    this.options = options;
    this.attempt = attempt;
    this.owner = Thread.currentThread();
    this.hasDeadline = hasDeadline;
    this.deadlineNanos = deadlineNanos;
  }

  /** @return the transaction's options */
  public TxOptions options() {
    return options;
  }

  /** @return attempt number, from 1 */
  public int attempt() {
    return attempt;
  }

  /** @return the thread running the attempt */
  public Thread owner() {
    return owner;
  }

  /** @return whether the call has a deadline */
  public boolean hasDeadline() {
    return hasDeadline;
  }

  /** @return the deadline in ticker nanoseconds; meaningful only if {@link #hasDeadline()} */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  /** @return the attempt's hooks */
  public Hooks hooks() {
    return hooks;
  }

  /**
   * Dooms the attempt, if it is not already: it will never commit.
   *
   * @param cause the transaction-scope failure
   * @param classification its classification
   */
  public void doom(Throwable cause, Classification classification) {
    if (doomCause == null) {
      doomCause = cause;
      doomClassification = classification;
    }
  }

  /** @return whether a transaction-scope failure doomed the attempt */
  public boolean isDoomed() {
    return doomCause != null;
  }

  /** @return the first transaction-scope failure, or null */
  public @Nullable Throwable doomCause() {
    return doomCause;
  }

  /** @return its classification, or null */
  public @Nullable Classification doomClassification() {
    return doomClassification;
  }

  /** Makes a normal return roll back instead of committing. */
  public void setRollbackOnly() {
    rollbackOnly = true;
  }

  /** @return whether the attempt will roll back */
  public boolean isRollbackOnly() {
    return rollbackOnly;
  }

  /** Marks the attempt ended: its {@code tx} refuses further use. */
  public void end() {
    ended = true;
  }

  /** @return whether the attempt has ended */
  public boolean isEnded() {
    return ended;
  }
}
