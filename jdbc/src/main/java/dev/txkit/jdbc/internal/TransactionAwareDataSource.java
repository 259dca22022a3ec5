package dev.txkit.jdbc.internal;

import dev.txkit.spi.TransactionEngine;
import dev.txkit.spi.TransactionScope;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A view of a {@code Transactions}' data source for code that takes a {@link DataSource} (Spring's
 * {@code JdbcTemplate}, jOOQ, Jdbi, MyBatis): inside a txkit transaction on the calling thread it hands out that
 * transaction's managed connection (closing it does nothing), so their statements join the transaction, its
 * savepoints, its failure classification and its retries; outside any, a connection of the pool, as the data
 * source itself would.
 */
public final class TransactionAwareDataSource extends DelegatingDataSource {

  private final TransactionEngine engine;

  /**
   * @param target the pool
   * @param engine the engine whose transactions are joined
   */
  public TransactionAwareDataSource(DataSource target, TransactionEngine engine) {
    super(target);
    this.engine = engine;
  }

  @SuppressWarnings("unchecked")
  private @Nullable TransactionScope<JdbcAttempt> current() {
    TransactionScope<?> s = engine.current();
    return s == null ? null : (TransactionScope<JdbcAttempt>) s;
  }

  @Override
  public Connection getConnection() throws SQLException {
    TransactionScope<JdbcAttempt> s = current();
    return s == null ? target.getConnection() : new TxScope(s).connection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    if (current() != null) {
      throw new SQLFeatureNotSupportedException("Inside a txkit transaction this data source hands out the "
          + "transaction's own connection; asking for another user's connection would leave the transaction. Call "
          + "getConnection() without credentials, or use the underlying data source");
    }
    return target.getConnection(username, password);
  }


  @Override
  public String toString() {
    return "txkit transaction-aware view of " + target;
  }
}
