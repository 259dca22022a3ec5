package dev.txkit.spi;

import dev.txkit.Classification;
import dev.txkit.Isolation;

/**
 * A transactional resource the engine drives (a JDBC {@code DataSource}, in {@code txkit-jdbc}). Implementations
 * are thread-safe.
 *
 * @param <C> the resource's per-attempt transaction
 */
public interface TransactionResource<C extends ResourceTransaction> {

  /**
   * Begins one attempt's physical transaction: takes a connection, sets isolation and read-only, turns
   * autocommit off. The engine closes what this returns, whatever happens.
   *
   * @param scope the outermost scope of the attempt: its options and attempt number ({@link TransactionScope#transaction()}
   *     is not available yet)
   * @return the attempt's transaction
   * @throws Exception if it could not begin (classified with {@link #classify} and possibly retried)
   */
  C begin(TransactionScope<C> scope) throws Exception;

  /**
   * Classifies a failure. The engine is the only caller: every failure is classified once, here.
   *
   * @param failure any throwable
   * @return its classification
   */
  Classification classify(Throwable failure);

  /**
   * The isolation a transaction gets when it asks for {@link Isolation#DEFAULT}, for checking that a nested
   * block's isolation matches its enclosing transaction.
   *
   * @return the isolation (not {@code DEFAULT})
   * @throws Exception if it could not be learned
   */
  Isolation defaultIsolation() throws Exception;
}
