package dev.txkit;

import org.jspecify.annotations.Nullable;

/**
 * The thread was interrupted while its transaction waited to begin (queued by contention control or escalation):
 * no attempt began, so nothing was written. The thread's interrupt flag is set again. The cause, if any, is the
 * failure of the attempt before, which was rolled back.
 */
public class TransactionInterruptedException extends TransactionException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the previous attempt's failure, or null
   */
  public TransactionInterruptedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
