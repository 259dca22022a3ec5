package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * H2: no SQL for read-only transactions (H2 does not enforce them), and a statement's query timeout is a
 * setting of the whole session ({@code SET QUERY_TIMEOUT}), reset before the connection goes back to the pool.
 */
final class H2Dialect extends Dialect {

  H2Dialect() {
    super(Database.H2, LockSyntax.FOR_UPDATE);
  }

  @Override
  boolean readOnlyThroughDriver() {
    return false;
  }

  /** H2 keeps the query timeout in milliseconds in an int. */
  @Override
  long maxStatementTimeoutMillis() {
    return Integer.MAX_VALUE;
  }

  @Override
  int maxBindParameters() {
    return 32_000;
  }

  @Override
  void applyTimeout(JdbcAttempt attempt, Statement st, long remainingNanos) throws SQLException {
    long seconds = (remainingNanos + 999_999_999L) / 1_000_000_000L;
    if (seconds * 1000L <= maxStatementTimeoutMillis()) {
      st.setQueryTimeout((int) Math.max(1L, seconds));
      attempt.cleanupNeeded(JdbcAttempt.RESET_QUERY_TIMEOUT);
    }
  }

  @Override
  void cleanUp(Connection c, int cleanups) throws SQLException {
    if ((cleanups & JdbcAttempt.RESET_QUERY_TIMEOUT) != 0) {
      try (Statement st = c.createStatement()) {
        st.setQueryTimeout(0);
      }
    }
  }
}
