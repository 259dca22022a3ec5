package dev.txkit.testing;

/**
 * The kinds of failure a {@link Sweep} tries at each failure point, where the kind makes sense there. The
 * payloads are the real database's, from {@link Failures}.
 */
public enum SweepKind {
  /**
   * A failure that a retry heals: a deadlock at a statement or batch ({@link Failures#deadlock()}), a
   * serialization failure at {@code COMMIT} ({@link Failures#serializationFailure()}, as PostgreSQL raises it
   * under SERIALIZABLE). The emulated server does what the real one does (rolls back, or enters PostgreSQL's
   * aborted state).
   */
  TRANSIENT("transient"),
  /**
   * A failure that a retry does not heal: a unique violation at a write, a batch or {@code COMMIT} (a deferred
   * constraint), a query timeout at a read.
   */
  NON_RETRYABLE("non-retryable"),
  /**
   * The connection drops ({@link Fault#dropConnection()}): before a call that is then not made, or, at
   * {@link Point#STATEMENT_AFTER}, after the statement ran. The server rolls the open transaction back. At
   * {@link Point#COMMIT_BEFORE} the client cannot tell whether the commit was sent.
   */
  CONNECTION_LOSS("connection loss"),
  /**
   * The commit goes through and its reply is lost: {@link Point#COMMIT_AFTER} with
   * {@link Fault#dropConnection()}.
   */
  UNKNOWN_OUTCOME("unknown outcome"),
  /**
   * {@code COMMIT} rolls back and reports success ({@link Point#COMMIT_SILENT_ROLLBACK}). No client can tell this
   * from a commit; PostgreSQL does it only in its aborted state, which the statement failures of the other kinds
   * already produce. Not tried unless asked for with {@link Sweep.Builder#kinds}.
   */
  SILENT_ROLLBACK("silent rollback");

  private final String label;

  SweepKind(String label) {
    this.label = label;
  }

  /** @return a short name for reports, e.g. {@code "connection loss"} */
  public String label() {
    return label;
  }
}
