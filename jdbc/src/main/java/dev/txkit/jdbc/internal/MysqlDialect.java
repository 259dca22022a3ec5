package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * MariaDB and MySQL: read-only enforced with SQL, {@code GET_LOCK} user locks released when the attempt ends,
 * and instants bound as UTC local date-times.
 */
final class MysqlDialect extends Dialect {

  MysqlDialect(Database database) {
    super(database, LockSyntax.FOR_UPDATE);
  }

  /**
   * Not {@code setReadOnly}: Connector/J 3.5.6 only treated it as a routing hint, 3.5.11 makes the whole session
   * read-only; {@code START TRANSACTION READ ONLY} makes exactly this transaction read-only with either.
   */
  @Override
  boolean readOnlyThroughDriver() {
    return false;
  }

  @Override
  void beginReadOnly(JdbcAttempt attempt) throws SQLException {
    // START TRANSACTION, not SET TRANSACTION: the latter only arms the next transaction, and when the callback runs
    // no statement no transaction starts, the COMMIT/ROLLBACK consumes nothing, and the connection goes back to the
    // pool with its next transaction read-only
    attempt.execute("START TRANSACTION READ ONLY");
  }

  @Override
  void bind(PreparedStatement ps, Object[] args) throws SQLException {
    Params.bind(ps, args, true);
  }

  @Override
  int maxBindParameters() {
    return 32_000;
  }

  /** MariaDB's {@code max_statement_time} (what Connector/J's query timeout sets) is at most a year. */
  @Override
  long maxStatementTimeoutMillis() {
    return 31_536_000_000L;
  }

  @Override
  void lockKeys(TxScope tx, String namespace, List<?> sorted) {
    tx.attempt.cleanupNeeded(JdbcAttempt.RELEASE_USER_LOCKS);
    long timeoutSeconds = 50;
    if (tx.scope.hasDeadline()) {
      timeoutSeconds = Math.max(0L, tx.scope.remainingNanos() / 1_000_000_000L);
    }
    for (Object k : sorted) {
      String name = namespace + ":" + k;
      if (name.length() > 64) {
        // the key is a value of the caller's: it does not go into the message
        throw new IllegalArgumentException("MariaDB/MySQL lock names are limited to 64 characters; a key of "
            + "namespace '" + namespace + "' makes one of " + name.length() + ". Use a shorter namespace or key");
      }
      Long got = tx.queryOne("SELECT GET_LOCK(?, ?)", Long.class, name, timeoutSeconds);
      if (got == null || got != 1L) {
        SQLException e = new SQLException("GET_LOCK on a key of namespace '" + namespace + "' timed out after "
            + timeoutSeconds + " s", "HY000", 1205);
        throw DatabaseFailureException.of("lockKeys failed in '" + tx.options().name() + "'", e,
            new Classification(FailureKind.LOCK_TIMEOUT, FailureScope.STATEMENT));
      }
    }
  }

  @Override
  void cleanUp(Connection c, int cleanups) throws SQLException {
    if ((cleanups & JdbcAttempt.RELEASE_USER_LOCKS) != 0) {
      try (Statement st = c.createStatement()) {
        st.execute("SELECT RELEASE_ALL_LOCKS()");
      }
    }
  }
}
