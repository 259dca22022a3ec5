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
 * database, and a lone {@code null} argument ({@code tx.update(sql, null)}, which Java passes as a null array)
 * binds one SQL NULL. Transaction-control SQL ({@code COMMIT}, {@code ROLLBACK} but not {@code ROLLBACK TO
 * SAVEPOINT}, {@code BEGIN}, {@code START TRANSACTION}, {@code SET autocommit}, {@code SET TRANSACTION},
 * {@code RELEASE SAVEPOINT}, two-phase commit, and MariaDB/MySQL's {@code LOCK TABLES}) is refused with an
 * {@link IllegalStateException} before it reaches the database: the transaction belongs to txkit. A statement that fails throws a {@link dev.txkit.DatabaseFailureException} subclass naming the
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
   * Runs an INSERT and returns the key the database generated for it: the driver's only generated-key column,
   * or, where the driver returns several (pgjdbc returns the whole inserted row), the only auto-increment one
   * (an identity or serial column). Where that cannot tell the key apart, name the key column with
   * {@link #insertAndReturnKey(Class, String, String, Object...)}.
   *
   * @param sql the INSERT
   * @param args the parameters
   * @return the generated key
   * @throws dev.txkit.UnexpectedRowCountException if no key was generated
   * @throws IllegalArgumentException if the driver returned several columns and none, or more than one, is
   *     auto-increment
   * @throws dev.txkit.DatabaseFailureException if the database reports a failure
   */
  long insertAndReturnKey(String sql, Object... args);

  /**
   * Runs an INSERT and returns the generated value of the named key column, e.g.
   * {@code long id = tx.insertAndReturnKey(Long.class, "id", "INSERT INTO invoices(tenant_id, total) VALUES (?, ?)",
   * tenant, total)}. The key's type comes first so that no call whose first argument is the SQL can be taken for
   * this form: {@code insertAndReturnKey(sql, "pear", null)} binds "pear" and NULL.
   *
   * @param keyType the key's type, e.g. {@code Long.class}, {@code UUID.class}
   * @param keyColumn the generated column, a plain identifier (on PostgreSQL as written unquoted in the table's
   *     DDL: matched in lower case)
   * @param sql the INSERT
   * @param args the parameters
   * @param <K> the key type
   * @return the generated key
   * @throws dev.txkit.UnexpectedRowCountException if no key was generated
   * @throws IllegalArgumentException if {@code keyColumn} is not a plain identifier, or the driver returned no
   *     such column
   * @throws dev.txkit.DatabaseFailureException if the database reports a failure
   */
  <K> K insertAndReturnKey(Class<K> keyType, String keyColumn, String sql, Object... args);

  /**
   * Runs one statement for each parameter row, as a JDBC batch.
   *
   * @param sql the statement
   * @param rows one array of parameters per execution, all of the same length
   * @return the update counts, one per row (drivers may report {@link java.sql.Statement#SUCCESS_NO_INFO})
   * @throws IllegalArgumentException if a row has another length than the first, or the rows leave a parameter
   *     unset; nothing of the batch has run then
   * @throws NullPointerException if a row is null
   * @throws dev.txkit.DatabaseFailureException if the database reports a failure
   */
  int[] batch(String sql, Collection<Object[]> rows);

  /**
   * Locks rows in the canonical order: sorts and de-duplicates the keys, then locks them with ordered
   * {@code SELECT ... FOR UPDATE} statements of at most 1,000 keys each, in ascending order across them too.
   * Transactions that lock their rows this way cannot deadlock on them. (Text keys: the order within one
   * statement is the database's collation, across statements Java's; beyond 1,000 text keys whose collation
   * order differs from Java's, the canonical order is not guaranteed.) The key column's type is learned once
   * per {@code Transactions} with one extra query.
   *
   * @param table the table; a plain or schema-qualified identifier
   * @param keyColumn the key column; a plain identifier
   * @param keys the keys to lock, mutually comparable
   * @param <K> the key type
   * @return the keys that exist (and are now locked), in lock order
   * @throws IllegalArgumentException if {@code table} or {@code keyColumn} is not a plain identifier, if the keys
   *     cannot be ordered, or if they are numbers and the column holds text (or the reverse); then no row is
   *     locked
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
   * {@code setTransactionIsolation}, {@code setReadOnly} and {@code abort} with an {@link IllegalStateException}:
   * the transaction belongs to txkit. It is borrowed: {@code close()} does nothing, so
   * {@code try (Connection c = tx.connection()) { ... }} is harmless, and txkit returns the connection to the pool
   * when the transaction ends. Statements it creates take part in failure detection and timeouts, and refuse
   * transaction-control SQL ({@code COMMIT}, {@code ROLLBACK}, {@code BEGIN}, {@code SET autocommit}, ...) with
   * an {@code IllegalStateException}, as the wrappers of {@code Tx} do. What its setters change beyond that
   * (schema, catalog, holdability, network timeout, client info, type map) is put back when the transaction ends.
   * Every way back to a connection from its statements, result sets and metadata, and
   * {@code unwrap(Connection.class)}, returns this managed connection; only {@code unwrap} to a driver's own type
   * bypasses all of that.
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
