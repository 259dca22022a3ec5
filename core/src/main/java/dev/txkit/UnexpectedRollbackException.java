package dev.txkit;

/**
 * A transaction (or a nested block with its own savepoint) returned normally but was rolled back instead of
 * committed, because a block that joined it ({@link Propagation#JOIN} or {@link Propagation#MANDATORY}) called
 * {@code setRollbackOnly()}. The caller must learn that its work was not committed, as with Spring's exception of
 * the same name. When the callback that owns the transaction asks for the rollback itself, the call returns
 * normally instead.
 *
 * <p>The completion hooks ({@code afterRollback}, {@code afterCompletion}) have run when it is thrown.
 */
public class UnexpectedRollbackException extends TransactionException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was rolled back and which block asked for it
   */
  public UnexpectedRollbackException(String message) {
    super(message, null);
  }
}
