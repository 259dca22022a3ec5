package dev.txkit;

/** What kind of failure the database reported, independent of the database product. */
public enum FailureKind {
  /** The transaction could not be serialized (SQLState 40001 on most databases). Retry the whole transaction. */
  SERIALIZATION_FAILURE,
  /** The transaction was chosen as a deadlock victim. Retry the whole transaction. */
  DEADLOCK,
  /** A lock wait timed out ({@code lock_timeout}, {@code innodb_lock_wait_timeout}, H2 HYT00). */
  LOCK_TIMEOUT,
  /** A lock could not be taken at once ({@code NOWAIT}). */
  LOCK_NOT_AVAILABLE,
  /** The connection broke or the server closed the session; anything not committed is gone. */
  CONNECTION_LOST,
  /** The database itself says it cannot tell whether a commit happened (CockroachDB 40003). */
  OUTCOME_UNKNOWN,
  /** A statement ran past its time limit or was cancelled. */
  QUERY_TIMEOUT,
  /**
   * The call ran past the deadline of its {@link TxOptions#timeout()}: txkit rolled it back. Never retried: the
   * deadline covers the whole call, retries included.
   */
  TRANSACTION_TIMEOUT,
  /**
   * No connection could be taken from the pool in time: every connection is in use (often by this very thread,
   * for instance a {@link Propagation#REQUIRES_NEW} call needs a second one). Not a lost connection, and not
   * retried by default: waiting again would wait as long again.
   */
  POOL_EXHAUSTED,
  /** A unique, foreign key, check or exclusion constraint was violated. */
  CONSTRAINT_VIOLATION,
  /** Anything else: syntax errors, missing tables, data errors. */
  OTHER
}
