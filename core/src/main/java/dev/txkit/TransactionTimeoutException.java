package dev.txkit;

import org.jspecify.annotations.Nullable;

/**
 * The transaction's {@linkplain TxOptions#timeout() timeout} passed: it was rolled back and no further attempt
 * started. The cause, if any, is the failure that the deadline interrupted (for example the statement
 * cancelled when its share of the remaining time ran out).
 */
public class TransactionTimeoutException extends TransactionException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the failure at the deadline, or null
   */
  public TransactionTimeoutException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
