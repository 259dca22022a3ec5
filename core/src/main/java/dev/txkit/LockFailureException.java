package dev.txkit;

import java.sql.SQLException;

/**
 * A lock could not be taken in time ({@link FailureKind#LOCK_TIMEOUT}) or at once ({@link FailureKind#LOCK_NOT_AVAILABLE}). Usually only the statement failed; retried only when the policy opts in.
 */
public class LockFailureException extends DatabaseFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the driver's exception
   * @param classification how txkit classified it
   */
  public LockFailureException(String message, SQLException cause, Classification classification) {
    super(message, cause, classification);
  }
}
