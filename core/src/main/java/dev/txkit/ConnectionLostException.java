package dev.txkit;

import java.sql.SQLException;

/**
 * The connection broke before the transaction committed; nothing of it was persisted. Retried by default on a new connection.
 */
public class ConnectionLostException extends DatabaseFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the driver's exception
   * @param classification how txkit classified it
   */
  public ConnectionLostException(String message, SQLException cause, Classification classification) {
    super(message, cause, classification);
  }
}
