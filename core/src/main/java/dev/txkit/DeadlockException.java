package dev.txkit;

import java.sql.SQLException;

/**
 * The transaction was chosen as a deadlock victim. txkit retries it by default; take locks in one order ({@code lockRows}) to avoid it.
 */
public class DeadlockException extends DatabaseFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the driver's exception
   * @param classification how txkit classified it
   */
  public DeadlockException(String message, SQLException cause, Classification classification) {
    super(message, cause, classification);
  }
}
