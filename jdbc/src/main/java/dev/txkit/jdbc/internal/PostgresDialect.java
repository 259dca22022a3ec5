package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.RowMappers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL and the databases that speak its protocol through pgjdbc (CockroachDB, YugabyteDB): server-side
 * statement timeouts in milliseconds, advisory locks, the aborted state after a failed statement, and (on
 * PostgreSQL itself) resolving a lost commit with {@code pg_xact_status}.
 */
final class PostgresDialect extends Dialect {

  PostgresDialect(Database database) {
    super(database, LockSyntax.FOR_UPDATE);
  }

  @Override
  int maxBindParameters() {
    // the protocol counts parameters in a 16-bit field (65,535); stay well below it
    return 32_000;
  }

  /** {@code statement_timeout} is an int of milliseconds. */
  @Override
  long maxStatementTimeoutMillis() {
    return Integer.MAX_VALUE;
  }

  @Override
  void applyTimeout(JdbcAttempt attempt, Statement st, long remainingNanos) throws SQLException {
    long ms = Math.max(1L, (remainingNanos + 999_999L) / 1_000_000L);
    if (ms <= maxStatementTimeoutMillis()) {
      // precise and server-side, and gone with the transaction (pgjdbc's setQueryTimeout is whole seconds)
      attempt.execute("SET LOCAL statement_timeout = " + ms);
    }
  }

  @Override
  void lockKeys(TxScope tx, String namespace, List<?> sorted) {
    for (Object k : sorted) {
      tx.queryOne("SELECT pg_advisory_xact_lock(hashtextextended(?, 0)) IS NULL", RowMappers.column(Object.class),
          namespace + ":" + k);
    }
  }

  @Override
  boolean abortsTransactionOnStatementFailure() {
    return true;
  }

  @Override
  @Nullable String transactionIdQuery() {
    // a cheap local id of the transaction (no round trip to assign one if it wrote nothing)
    return database == Database.POSTGRESQL ? "SELECT pg_current_xact_id_if_assigned()::text" : null;
  }

  @Override
  @Nullable String transactionStatus(DataSource dataSource, String id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pg_xact_status(?::xid8)")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
