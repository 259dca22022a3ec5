package dev.txkit;

import java.sql.SQLException;

/**
 * A statement ran past its time limit or was cancelled.
 */
public class QueryTimeoutException extends DatabaseFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the driver's exception
   * @param classification how txkit classified it
   */
  public QueryTimeoutException(String message, SQLException cause, Classification classification) {
    super(message, cause, classification);
  }
}
