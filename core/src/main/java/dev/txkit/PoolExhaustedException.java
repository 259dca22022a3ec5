package dev.txkit;

import java.sql.SQLException;

/**
 * No connection could be taken: the pool had none free within its timeout, or the server refused another
 * connection ({@link FailureKind#POOL_EXHAUSTED}). Not retried by default: waiting again would wait as long
 * again. The message says how many connections the calling thread already holds: a
 * {@link Propagation#REQUIRES_NEW} transaction needs a connection of its own besides its enclosing transaction's.
 */
public class PoolExhaustedException extends DatabaseFailureException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what happened and what to do
   * @param cause the pool's or driver's exception
   * @param classification how txkit classified it
   */
  public PoolExhaustedException(String message, SQLException cause, Classification classification) {
    super(message, cause, classification);
  }
}
