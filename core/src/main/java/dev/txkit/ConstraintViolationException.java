package dev.txkit;

import java.sql.SQLException;

/**
 * A unique, foreign-key, check or exclusion constraint was violated.
 */
public class ConstraintViolationException extends DatabaseFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the driver's exception
   * @param classification how txkit classified it
   */
  public ConstraintViolationException(String message, SQLException cause, Classification classification) {
    super(message, cause, classification);
  }
}
