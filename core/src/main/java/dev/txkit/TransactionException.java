package dev.txkit;

import org.jspecify.annotations.Nullable;

/**
 * The root of txkit's own failures. Unchecked; each subclass names one failure mode and carries the
 * underlying {@link java.sql.SQLException}, if any, as its cause.
 */
public abstract class TransactionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened and what to do
   * @param cause the underlying failure, or null
   */
  protected TransactionException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
