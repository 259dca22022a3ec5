package dev.txkit;

/** How a transaction ended, as seen by {@code afterCompletion} hooks and listeners. */
public enum CompletionStatus {
  /** Committed. */
  COMMITTED,
  /** Rolled back (by an exception, {@code setRollbackOnly}, or a failure txkit gave up on). */
  ROLLED_BACK,
  /** The commit was sent but its outcome is unknown. */
  UNKNOWN
}
