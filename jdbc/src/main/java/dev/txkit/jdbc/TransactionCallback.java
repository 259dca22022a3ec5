package dev.txkit.jdbc;

/**
 * The work of a transaction that returns a value.
 *
 * @param <T> the result type
 * @param <X> the checked exception the work may throw (e.g. {@link java.sql.SQLException} from raw JDBC on
 *     {@link Tx#connection()}); it reaches the caller unchanged
 */
@FunctionalInterface
public interface TransactionCallback<T, X extends Exception> {

  /**
   * Does the work. Runs on the calling thread; may run more than once when the transaction is retried, so it
   * must not have side effects outside the database (register them with {@link Tx#afterCommit} instead).
   *
   * @param tx the transaction
   * @return the result, returned to the caller after the commit
   * @throws X any exception: it rolls the transaction back and is rethrown
   */
  T apply(Tx tx) throws X;
}
