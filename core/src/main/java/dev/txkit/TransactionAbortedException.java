package dev.txkit;

/**
 * A statement was refused because the current attempt already failed with a transaction-scope failure (a
 * deadlock, a serialization failure, a lost connection): the database has rolled that work back, so nothing
 * more can be done in it and it will never commit. The cause is that first failure. Let the exception
 * propagate out of the callback; txkit then retries the whole transaction if the policy allows.
 */
public class TransactionAbortedException extends TransactionException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the failure that doomed the attempt
   */
  public TransactionAbortedException(String message, Throwable cause) {
    super(message, cause);
  }
}
