package dev.txkit;

/**
 * The commit was sent but its result never arrived (the connection broke during {@code COMMIT}): the
 * transaction may or may not have been committed. txkit does not retry it (that could apply it twice) unless
 * the transaction is declared {@linkplain TxOptions#idempotent() idempotent} or an outcome resolver found out
 * that it did not commit. Check the data, or write an idempotency key in the transaction, before repeating it.
 */
public class CommitOutcomeUnknownException extends TransactionException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened
   * @param cause the failure of the commit
   */
  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
