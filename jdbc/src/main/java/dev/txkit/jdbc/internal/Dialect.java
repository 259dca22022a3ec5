package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Everything txkit does differently by database, in one place, learned once per {@code Transactions} from the
 * first connection: how a read-only transaction begins, how a statement gets the time left before the
 * deadline, how rows and keys are locked, what must be checked before a commit and how a lost commit is
 * resolved, and how parameters bind. This base class is the JDBC standard's way (Oracle, DB2, SQL Server,
 * SQLite and unknown databases, with their lock syntax); {@link PostgresDialect}, {@link MysqlDialect} and
 * {@link H2Dialect} hold the rest. See {@code docs/databases.md}.
 */
class Dialect {

  /** How {@code lockRows} locks: {@code FOR UPDATE}, SQL Server's table hint, or nothing (SQLite locks the file). */
  enum LockSyntax {
    FOR_UPDATE,
    SQL_SERVER_HINT,
    NONE
  }

  final Database database;
  private final LockSyntax lockSyntax;

  Dialect(Database database, LockSyntax lockSyntax) {
    this.database = database;
    this.lockSyntax = lockSyntax;
  }

  /**
   * @param db the database
   * @return its dialect
   */
  static Dialect of(Database db) {
    switch (db) {
      case POSTGRESQL:
      case COCKROACHDB:
      case YUGABYTEDB:
        return new PostgresDialect(db);
      case MARIADB:
      case MYSQL:
        return new MysqlDialect(db);
      case H2:
        return new H2Dialect();
      case SQL_SERVER:
        return new Dialect(db, LockSyntax.SQL_SERVER_HINT);
      case SQLITE:
        return new Dialect(db, LockSyntax.NONE);
      default:
        return new Dialect(db, LockSyntax.FOR_UPDATE);
    }
  }

  // ---- begin -------------------------------------------------------------------------------------------------

  /**
   * Whether {@code Connection.setReadOnly(true)}, before the transaction begins, makes it read-only. The JDBC
   * standard says so; pgjdbc turns it into {@code BEGIN READ ONLY}.
   *
   * @return whether to call it
   */
  boolean readOnlyThroughDriver() {
    return true;
  }

  /**
   * Makes the transaction read-only with SQL, right after autocommit was turned off, where the driver does not.
   *
   * @param attempt the attempt
   * @throws SQLException if it fails
   */
  void beginReadOnly(JdbcAttempt attempt) throws SQLException {
  }

  // ---- statements --------------------------------------------------------------------------------------------

  /**
   * Binds parameters.
   *
   * @param ps the statement
   * @param args the values
   * @throws SQLException if binding fails
   */
  void bind(PreparedStatement ps, Object[] args) throws SQLException {
    Params.bind(ps, args, false);
  }

  /**
   * The longest statement timeout the driver and server take, in milliseconds: a deadline further away is not
   * sent (the deadline is still checked before each statement and at commit).
   *
   * @return the limit
   */
  long maxStatementTimeoutMillis() {
    return Integer.MAX_VALUE * 1000L;
  }

  /**
   * Gives a statement the time left before the deadline.
   *
   * @param attempt the attempt
   * @param st the statement about to run
   * @param remainingNanos the time left, positive
   * @throws SQLException if setting it fails
   */
  void applyTimeout(JdbcAttempt attempt, Statement st, long remainingNanos) throws SQLException {
    long seconds = (remainingNanos + 999_999_999L) / 1_000_000_000L;
    if (seconds * 1000L <= maxStatementTimeoutMillis()) {
      st.setQueryTimeout((int) Math.max(1L, seconds));
    }
  }

  // ---- locks -------------------------------------------------------------------------------------------------

  /** @return how many parameters one statement may bind */
  int maxBindParameters() {
    return 2_000;
  }

  /**
   * The statement that locks rows by key in the order of the key column.
   *
   * @param table the table (validated identifier)
   * @param keyColumn the key column (validated identifier)
   * @param keys how many keys
   * @return the SQL
   */
  String lockRowsSql(String table, String keyColumn, int keys) {
    StringBuilder sql = new StringBuilder(64 + keys * 3);
    sql.append("SELECT ").append(keyColumn).append(" FROM ").append(table);
    if (lockSyntax == LockSyntax.SQL_SERVER_HINT) {
      sql.append(" WITH (UPDLOCK, ROWLOCK)");
    }
    sql.append(" WHERE ").append(keyColumn).append(" IN (");
    for (int i = 0; i < keys; i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    sql.append(") ORDER BY ").append(keyColumn);
    if (lockSyntax == LockSyntax.FOR_UPDATE) {
      sql.append(" FOR UPDATE");
    }
    return sql.toString();
  }

  /**
   * Takes transaction-scoped advisory locks on keys, in the given (canonical) order.
   *
   * @param tx the block
   * @param namespace the keys' namespace
   * @param sorted the keys, sorted
   */
  void lockKeys(TxScope tx, String namespace, List<?> sorted) {
    throw new UnsupportedOperationException(database + " has no transaction-scoped advisory locks; lock the rows "
        + "themselves with tx.lockRows(table, keyColumn, keys)");
  }

  // ---- commit and end ----------------------------------------------------------------------------------------

  /**
   * Whether a failed statement leaves the whole transaction unable to commit until rolled back (to a savepoint),
   * so that a commit after a caught statement failure must check first.
   *
   * @return whether
   */
  boolean abortsTransactionOnStatementFailure() {
    return false;
  }

  /**
   * The query that returns the transaction's id before commit, for resolving a lost commit, or null when the
   * database has no way to look a transaction up afterwards.
   *
   * @return the query, or null
   */
  @Nullable String transactionIdQuery() {
    return null;
  }

  /**
   * Looks up whether a transaction committed, on a new connection.
   *
   * @param dataSource where to connect
   * @param id what {@link #transactionIdQuery()} returned
   * @return "committed", "aborted", or anything else for unknown
   * @throws SQLException if the lookup fails
   */
  @Nullable String transactionStatus(DataSource dataSource, String id) throws SQLException {
    return null;
  }

  /**
   * Undoes what the attempt left in the session beyond autocommit, isolation and read-only, before the connection
   * goes back to the pool.
   *
   * @param c the connection
   * @param cleanups what the attempt did (bits of {@link JdbcAttempt})
   * @throws SQLException if it fails (the connection is then discarded)
   */
  void cleanUp(Connection c, int cleanups) throws SQLException {
  }
}
