package dev.txkit.jdbc;

import dev.txkit.CompletionStatus;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The running transaction, handed to the callback of {@link Transactions#inTransaction}.
 *
 * <p>A {@code Tx} is confined to the thread that runs the callback and valid only until the callback returns:
 * using it from another thread or afterwards throws {@link IllegalStateException}. Every statement binds its
 * parameters (never concatenates them); {@code null} and {@code java.time} values bind on every supported
 * database. A statement that fails throws a {@link dev.txkit.DatabaseFailureException} subclass naming the
 * failure; after a transaction-scope failure (deadlock, serialization failure, lost connection) every further
 * statement throws {@link dev.txkit.TransactionAbortedException} at once and the attempt never commits.
 */
public interface Tx {

  /**
   * Runs an INSERT, UPDATE, DELETE or DDL statement.
   *
   * @param sql the statement with {@code ?} placeholders
   * @param args the parameters
   * @return the number of rows changed
   * @throws dev.txkit.DatabaseFailureException if the database reports a failure
   * @throws IllegalStateException if this tx has ended or is used from another thread
   */
  int update(String sql, Object... args);

  /**
   * Runs a statement that must change exactly one row, e.g. a conditional stock decrement.
   *
   * @param sql the statement with {@code ?} placeholders
   * @param args the parameters
   * @throws dev.txkit.UnexpectedRowCountException if it changed zero or several rows; propagating it rolls back
   * @throws dev.txkit.DatabaseFailureException if the database reports a failure
   */
  void updateOne(String sql, Object... args);

  /**
   * Runs a query and maps every row.
   *
   * @param sql the query with {@code ?} placeholders
   * @param mapper maps each row
   * @param args the parameters
   * @param <T> the row type
   * @return the rows, in order; a mutable list of the caller's
   * @throws dev.txkit.DatabaseFailureException if the database reports a failure
   */
  <T> List<T> query(String sql, RowMapper<T> mapper, Object... args);

  /**
   * Runs a query and maps every row to {@code type} ({@link RowMappers#of(Class)}).
   *
   * @param sql the query
   * @param type a record class, or the class of the single column
   * @param args the parameters
   * @param <T> the row type
   * @return the rows
   */
  <T> List<T> query(String sql, Class<T> type, Object... args);

  /**
   * Runs a query that must return exactly one row.
   *
   * @param sql the query
   * @param mapper maps the row
   * @param args the parameters
   * @param <T> the row type
   * @return the mapped row
   * @throws dev.txkit.UnexpectedRowCountException if the query returned zero or several rows
   */
  <T> T queryOne(String sql, RowMapper<T> mapper, Object... args);

  /**
   * Runs a query that must return exactly one row, mapped to {@code type}.
   *
   * @param sql the query
   * @param type a record class, or the class of the single column
   * @param args the parameters
   * @param <T> the row type
   * @return the value
   * @throws dev.txkit.UnexpectedRowCountException if the query returned zero or several rows
   */
  <T> T queryOne(String sql, Class<T> type, Object... args);

  /**
   * Runs a query that returns at most one row.
   *
   * @param sql the query
   * @param mapper maps the row; a null result gives an empty optional
   * @param args the parameters
   * @param <T> the row type
   * @return the mapped row, or empty
   * @throws dev.txkit.UnexpectedRowCountException if the query returned several rows
   */
  <T> Optional<T> queryOptional(String sql, RowMapper<T> mapper, Object... args);

  /**
   * Runs a query that returns at most one row, mapped to {@code type}.
   *
   * @param sql the query
   * @param type a record class, or the class of the single column
   * @param args the parameters
   * @param <T> the row type
   * @return the value, or empty
   * @throws dev.txkit.UnexpectedRowCountException if the query returned several rows
   */
  <T> Optional<T> queryOptional(String sql, Class<T> type, Object... args);

  /**
   * Runs an INSERT and returns the generated key: the first column of the driver's generated keys. On
   * PostgreSQL that is the table's first column, so keep the key column first.
   *
   * @param sql the INSERT
   * @param args the parameters
   * @return the generated key
   * @throws dev.txkit.UnexpectedRowCountException if no key was generated
   */
  long insertAndReturnKey(String sql, Object... args);

  /**
   * Runs one statement for each parameter row, as a JDBC batch.
   *
   * @param sql the statement
   * @param rows one array of parameters per execution
   * @return the update counts, one per row (drivers may report {@link java.sql.Statement#SUCCESS_NO_INFO})
   */
  int[] batch(String sql, Collection<Object[]> rows);

  /**
   * Locks rows in the canonical order: sorts and de-duplicates the keys, then locks them with one ordered
   * {@code SELECT ... FOR UPDATE}. Transactions that lock their rows this way cannot deadlock on them.
   *
   * @param table the table; a plain or schema-qualified identifier
   * @param keyColumn the key column; a plain identifier
   * @param keys the keys to lock, mutually comparable
   * @param <K> the key type
   * @return the keys that exist (and are now locked), in lock order
   * @throws IllegalArgumentException if {@code table} or {@code keyColumn} is not a plain identifier
   */
  <K> List<K> lockRows(String table, String keyColumn, Collection<K> keys);

  /**
   * Takes transaction-scoped advisory locks on application keys, in the canonical order: PostgreSQL
   * {@code pg_advisory_xact_lock}, MariaDB/MySQL {@code GET_LOCK} (released when the transaction ends).
   *
   * @param namespace what the keys belong to, e.g. {@code "account"}
   * @param keys the keys
   * @throws UnsupportedOperationException on databases without advisory locks (H2); use {@link #lockRows}
   * @throws dev.txkit.LockFailureException if a lock could not be taken within the remaining time
   */
  void lockKeys(String namespace, Collection<?> keys);

  /**
   * The managed connection, for raw JDBC. It refuses {@code commit}, {@code rollback}, {@code setAutoCommit},
   * {@code setTransactionIsolation}, {@code setReadOnly}, {@code abort} and {@code close} with an
   * {@link IllegalStateException}: the transaction belongs to txkit. Statements it creates take part in
   * failure detection and timeouts. Objects obtained with {@code unwrap} bypass all of that.
   *
   * @return the managed connection
   */
  Connection connection();

  /**
   * Runs {@code hook} after the outermost transaction commits (never if it rolls back, nor if the savepoint
   * block that registered it is undone). A failing hook is logged and reported to listeners; it does not undo
   * the commit. Hooks of an attempt that is retried are discarded.
   *
   * @param hook the hook
   */
  void afterCommit(Runnable hook);

  /**
   * Runs {@code hook} after the transaction finally rolls back (not after attempts that are retried).
   *
   * @param hook the hook
   */
  void afterRollback(Runnable hook);

  /**
   * Runs {@code hook} after the transaction ends, with how it ended.
   *
   * @param hook the hook
   */
  void afterCompletion(Consumer<CompletionStatus> hook);

  /**
   * Makes a normal return roll back instead of committing. Inside a {@link dev.txkit.Propagation#NESTED} block,
   * only that block's work is undone.
   */
  void setRollbackOnly();

  /** @return whether this block will roll back on normal return */
  boolean isRollbackOnly();

  /** @return the attempt number of the outermost transaction, from 1 */
  int attempt();

  /** @return the options of this block */
  TxOptions options();

  /** @return the database this transaction runs on */
  Database database();
}
