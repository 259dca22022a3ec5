package dev.txkit.jdbc;

/**
 * A transaction controlled by hand, for code that cannot be a lambda:
 * {@code try (ManualTransaction tx = txs.begin(options)) { ...; tx.commit(); }}. Closing without committing
 * rolls back. There are no retries in this form. Confined to the thread that began it.
 */
public interface ManualTransaction extends Tx, AutoCloseable {

  /**
   * Commits, then runs the after-commit hooks.
   *
   * @throws IllegalStateException if already committed, rolled back or closed
   * @throws dev.txkit.DatabaseFailureException if the commit failed (the transaction is rolled back)
   * @throws dev.txkit.CommitOutcomeUnknownException if the connection failed during the commit
   */
  void commit();

  /**
   * Rolls back. Does nothing if already rolled back.
   *
   * @throws IllegalStateException if already committed
   */
  void rollback();

  /** Rolls back unless committed, restores the connection and returns it to the pool. Idempotent. */
  @Override
  void close();
}
