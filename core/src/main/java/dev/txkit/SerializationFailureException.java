package dev.txkit;

import java.sql.SQLException;

/**
 * The transaction could not be serialized with concurrent ones and was rolled back by the database. txkit retries it by default.
 */
public class SerializationFailureException extends DatabaseFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the driver's exception
   * @param classification how txkit classified it
   */
  public SerializationFailureException(String message, SQLException cause, Classification classification) {
    super(message, cause, classification);
  }
}
