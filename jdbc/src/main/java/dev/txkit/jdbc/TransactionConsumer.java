package dev.txkit.jdbc;

/**
 * The work of a transaction that returns nothing.
 *
 * @param <X> the checked exception the work may throw; it reaches the caller unchanged
 */
@FunctionalInterface
public interface TransactionConsumer<X extends Exception> {

  /**
   * Does the work; see {@link TransactionCallback#apply(Tx)}.
   *
   * @param tx the transaction
   * @throws X any exception: it rolls the transaction back and is rethrown
   */
  void accept(Tx tx) throws X;

  /**
   * This work as a callback returning {@code null}.
   *
   * @return the adapted callback
   */
  @SuppressWarnings("NullAway") // Void's only value is null
  default TransactionCallback<Void, X> asCallback() {
    return tx -> {
      accept(tx);
      return null;
    };
  }
}
