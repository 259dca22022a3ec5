package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.TxOptions;

/**
 * What the engine needs of a transactional resource (a JDBC data source, in {@code txkit-jdbc}).
 *
 * @param <A> the resource's per-attempt handle
 */
public interface TransactionResource<A extends ResourceAttempt> {

  /**
   * Begins an attempt: takes a connection, sets isolation and read-only, turns autocommit off.
   *
   * @param options the transaction's options
   * @param context the attempt's state, shared with the user's {@code tx} handle
   * @return the attempt handle; the engine always closes it
   * @throws Exception if the attempt could not begin (classified and possibly retried)
   */
  A begin(TxOptions options, AttemptContext context) throws Exception;

  /**
   * Classifies a failure.
   *
   * @param failure any throwable
   * @return its classification
   */
  Classification classify(Throwable failure);
}
