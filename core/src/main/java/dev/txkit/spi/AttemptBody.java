package dev.txkit.spi;

/**
 * The work of a transaction or nested block: normally the user's callback, called with a handle built on the
 * scope. Called once per attempt.
 *
 * @param <C> the resource's transaction type
 * @param <T> the result
 * @param <X> the checked exception the work may throw
 */
@FunctionalInterface
public interface AttemptBody<C extends ResourceTransaction, T, X extends Exception> {

  /**
   * Runs the work.
   *
   * @param scope the block's scope: its transaction, options, checks and hooks
   * @return the result
   * @throws X what the work throws
   */
  T run(TransactionScope<C> scope) throws X;
}
