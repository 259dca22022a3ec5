package dev.txkit.internal;

/**
 * Where one attempt (and a manual transaction, which is one attempt) stands. Transitions are checked
 * ({@link #canGo}); an illegal one is a bug in txkit or a misuse, and fails with a message naming both states.
 *
 * <pre>
 * BEGINNING -> ACTIVE -> COMMITTING -> COMMITTED | UNKNOWN | ROLLING_BACK | ROLLED_BACK -> CLOSED
 *                     -> DOOMED -> ROLLING_BACK -> ROLLED_BACK -> CLOSED
 *                     -> ROLLING_BACK
 * BEGINNING -> CLOSED (the resource could not begin)
 * </pre>
 */
enum AttemptState {
  /** The resource is taking a connection and beginning the transaction. */
  BEGINNING,
  /** The callback runs; statements may run. */
  ACTIVE,
  /** A transaction-scope failure ended the transaction on the server: statements are refused, it never commits. */
  DOOMED,
  /** COMMIT was sent. */
  COMMITTING,
  /** ROLLBACK was sent. */
  ROLLING_BACK,
  /** Committed. */
  COMMITTED,
  /** Rolled back (or confirmed not committed). */
  ROLLED_BACK,
  /** The commit's outcome is unknown. */
  UNKNOWN,
  /** The resource was released. */
  CLOSED;

  /** @return whether statements may run: the callback is running and the transaction can still commit */
  boolean isOpen() {
    return this == ACTIVE || this == DOOMED;
  }

  boolean canGo(AttemptState to) {
    switch (this) {
      case BEGINNING:
        return to == ACTIVE || to == CLOSED;
      case ACTIVE:
        return to == DOOMED || to == COMMITTING || to == ROLLING_BACK;
      case DOOMED:
        return to == ROLLING_BACK;
      case COMMITTING:
        return to == COMMITTED || to == UNKNOWN || to == ROLLING_BACK || to == ROLLED_BACK;
      case ROLLING_BACK:
        return to == ROLLED_BACK;
      case COMMITTED:
      case ROLLED_BACK:
      case UNKNOWN:
        return to == CLOSED;
      default:
        return false;
    }
  }
}
