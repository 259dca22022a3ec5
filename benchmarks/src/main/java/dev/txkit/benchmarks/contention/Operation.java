package dev.txkit.benchmarks.contention;

import dev.txkit.jdbc.Tx;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One business transaction with its parameters already chosen, so that every attempt of a retried call runs
 * the same statements. It can run on a raw connection (the hand-written strategies) or on txkit's {@link Tx}.
 */
public interface Operation {

  /**
   * Runs the statements on a connection whose transaction the caller opened (autocommit off) and ends.
   *
   * @param c the connection
   * @return true if the caller should commit, false if the business rule declined (the caller rolls back)
   * @throws SQLException if the database fails
   */
  boolean runJdbc(Connection c) throws SQLException;

  /**
   * Runs the same statements with txkit. A declined operation calls {@link Tx#setRollbackOnly()}.
   *
   * @param tx the transaction
   * @return true if it commits, false if declined
   */
  boolean runTx(Tx tx);
}
