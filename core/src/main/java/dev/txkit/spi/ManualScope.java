package dev.txkit.spi;

/**
 * The scope of a transaction controlled by hand: the engine's own commit, rollback and completion steps, called
 * by the user instead of by the attempt loop. Never retried. After {@link #commit()} or {@link #rollback()} it is
 * over: every further call fails, except {@link #close()}, which does nothing then.
 *
 * @param <C> the resource's transaction type
 */
public interface ManualScope<C extends ResourceTransaction> extends TransactionScope<C> {

  /**
   * Commits, as a callback's normal return would: a doomed transaction is rolled back and its failure thrown, a
   * rollback-only one rolled back, one past its deadline rolled back with a timeout exception, a commit of
   * unknown outcome reported as such. Then the transaction is over.
   *
   * @throws IllegalStateException if it already ended, or on another thread
   */
  void commit();

  /**
   * Rolls back. Then the transaction is over.
   *
   * @throws IllegalStateException if it already ended, or on another thread
   */
  void rollback();

  /**
   * Rolls back if still open; does nothing after {@link #commit()} or {@link #rollback()}.
   *
   * @throws IllegalStateException on another thread than the one that began it
   */
  void close();
}
