package dev.txkit;

/**
 * How a call of a transaction ended, in more detail than {@link CompletionStatus}: whether the work was committed,
 * and if not, whose decision that was. Reported in {@link TransactionStats}.
 */
public enum Outcome {
  /** Committed. */
  COMMITTED,
  /**
   * Committed, but the client learned it only from the outcome resolver: the reply to {@code COMMIT} was lost and
   * the database, asked afterwards, confirmed the commit.
   */
  RESOLVED,
  /**
   * Rolled back as the application asked: its callback threw a failure the retry policy does not retry (its own
   * exception, a constraint violation, ...), it called {@code setRollbackOnly()}, or a manual transaction was
   * rolled back or failed.
   */
  ROLLED_BACK,
  /**
   * Rolled back because txkit gave up: the last failure is one the retry policy retries, but the attempts, the
   * time (the call's timeout or the policy's maximum duration) or an interrupt allowed no further attempt; or the
   * call ran past its timeout.
   */
  GAVE_UP,
  /** The commit was sent but its outcome is unknown (the caller got {@link CommitOutcomeUnknownException}). */
  UNKNOWN
}
