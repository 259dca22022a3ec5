package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.CompletionStatus;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.LockOrder;
import dev.txkit.TransactionAbortedException;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.internal.AttemptContext;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.RowMapper;
import dev.txkit.jdbc.RowMappers;
import dev.txkit.jdbc.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Tx} of one block: the outermost transaction, or a nested block (savepoint or joined). Confined to
 * its attempt's thread.
 */
public class TxScope implements Tx {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern QUALIFIED = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  final JdbcAttempt attempt;
  final AttemptContext context;
  private final TxOptions options;
  private final @Nullable TxScope parent;
  private final boolean joined;
  private boolean ended;
  private boolean rollbackOnly;

  /**
   * @param attempt the attempt
   * @param options this block's options
   * @param parent the enclosing block, or null for the outermost
   * @param joined whether this block joins its parent without a savepoint
   */
  public TxScope(JdbcAttempt attempt, TxOptions options, @Nullable TxScope parent, boolean joined) {
    this.attempt = attempt;
    this.context = attempt.context();
    this.options = options;
    this.parent = parent;
    this.joined = joined;
  }

  /** @return the attempt this block runs in */
  public JdbcAttempt jdbcAttempt() {
    return attempt;
  }

  /** Ends this block: the tx refuses further use. */
  public void end() {
    ended = true;
  }

  /** @return whether this block has ended */
  public boolean isEnded() {
    return ended || context.isEnded();
  }

  // ---- checks -------------------------------------------------------------------------------------------

  /** Fails unless this tx may be used now from this thread. */
  public void checkOpen() {
    if (Thread.currentThread() != context.owner()) {
      throw new IllegalStateException("The tx of transaction '" + options.name() + "' belongs to thread '"
          + context.owner().getName() + "' but was used from thread '" + Thread.currentThread().getName()
          + "'. A tx is confined to the thread running its callback; start a transaction on the other thread");
    }
    if (isEnded()) {
      throw new IllegalStateException("The tx of transaction '" + options.name() + "' was used after its "
          + (parent == null ? "transaction" : "nested block") + " ended. Do the work inside the callback, or "
          + "start a new transaction");
    }
  }

  /** Fails unless statements may run: usable, and the attempt not doomed. */
  public void checkUsable() {
    checkOpen();
    if (context.isDoomed()) {
      throw new TransactionAbortedException("Statement refused: transaction '" + options.name() + "' (attempt "
          + context.attempt() + ") already failed with " + context.doomClassification().kind() + " and was rolled "
          + "back by the database; nothing more can be done in it. Let the exception propagate so that txkit can "
          + "retry the whole transaction", context.doomCause());
    }
  }

  /**
   * Classifies a failure of a statement run in this transaction and dooms the attempt if the database ended it.
   *
   * @param e the driver's exception
   * @return its classification
   */
  public Classification onFailure(SQLException e) {
    Classification c = attempt.classifier().classify(e);
    record(e, c, e);
    return c;
  }

  private RuntimeException fail(String what, String sql, SQLException e) {
    Classification c = attempt.classifier().classify(e);
    DatabaseFailureException ex = DatabaseFailureException.of(what + " failed in '" + options.name() + "' ["
        + abbreviate(sql) + "]", e, c);
    record(e, c, ex);
    return ex;
  }

  /** Dooms the attempt on a transaction-scope failure, else remembers the statement failure. */
  private void record(SQLException e, Classification c, Throwable doomCause) {
    if (c.dooms()) {
      context.doom(doomCause, c);
    } else {
      attempt.statementFailed(e);
    }
  }

  /**
   * Gives the statement the time left before the call's deadline.
   *
   * @param st the statement about to run
   * @throws SQLException if setting the timeout fails
   */
  public void applyDeadline(Statement st) throws SQLException {
    if (!context.hasDeadline()) {
      return;
    }
    long remaining = context.deadlineNanos() - attempt.resource().ticker().read();
    if (remaining <= 0) {
      TransactionTimeoutException e = new TransactionTimeoutException("Transaction '" + options.name()
          + "' reached its timeout of " + context.options().timeout().toMillis() + " ms before this statement; "
          + "it will be rolled back", null);
      context.doom(e, new Classification(FailureKind.QUERY_TIMEOUT, FailureScope.TRANSACTION));
      throw e;
    }
    if (attempt.database().isPostgresFamily()) {
      long ms = Math.max(1L, (remaining + 999_999L) / 1_000_000L);
      attempt.execute("SET LOCAL statement_timeout = " + ms);
    } else {
      st.setQueryTimeout((int) Math.max(1L, Math.min(Integer.MAX_VALUE, (remaining + 999_999_999L) / 1_000_000_000L)));
      if (attempt.database() == Database.H2) {
        attempt.sessionQueryTimeoutSet();
      }
    }
  }

  private PreparedStatement prepare(String sql, Object[] args) throws SQLException {
    return prepare(sql, args, false);
  }

  private PreparedStatement prepare(String sql, Object[] args, boolean returnKeys) throws SQLException {
    StatementGuard.check(sql, attempt.database(), options.name());
    PreparedStatement ps = returnKeys ? attempt.connection().prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
        : attempt.connection().prepareStatement(sql);
    try {
      Params.bind(ps, args, attempt.database().isMysqlFamily());
      applyDeadline(ps);
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  // ---- wrappers ------------------------------------------------------------------------------------------

  @Override
  public int update(String sql, Object... args) {
    Objects.requireNonNull(sql, "sql");
    checkUsable();
    try (PreparedStatement ps = prepare(sql, args)) {
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw fail("update", sql, e);
    }
  }

  @Override
  public void updateOne(String sql, Object... args) {
    int n = update(sql, args);
    if (n != 1) {
      throw new UnexpectedRowCountException("Expected exactly one row to change but " + n + " did, in '"
          + options.name() + "' [" + abbreviate(sql) + "]; the transaction will roll back", 1, n);
    }
  }

  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    return rows(sql, mapper, args, Integer.MAX_VALUE);
  }

  @Override
  public <T> List<T> query(String sql, Class<T> type, Object... args) {
    return query(sql, RowMappers.of(type), args);
  }

  @Override
  public <T> T queryOne(String sql, RowMapper<T> mapper, Object... args) {
    List<T> rows = rows(sql, mapper, args, 2);
    if (rows.size() != 1) {
      throw new UnexpectedRowCountException("Expected exactly one row but the query returned " + rows.size()
          + (rows.size() > 1 ? " or more" : "") + ", in '" + options.name() + "' [" + abbreviate(sql) + "]", 1,
          rows.size());
    }
    return rows.get(0);
  }

  @Override
  public <T> T queryOne(String sql, Class<T> type, Object... args) {
    return queryOne(sql, RowMappers.of(type), args);
  }

  @Override
  public <T> Optional<T> queryOptional(String sql, RowMapper<T> mapper, Object... args) {
    List<T> rows = rows(sql, mapper, args, 2);
    if (rows.size() > 1) {
      throw new UnexpectedRowCountException("Expected at most one row but the query returned more, in '"
          + options.name() + "' [" + abbreviate(sql) + "]", 1, rows.size());
    }
    return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
  }

  @Override
  public <T> Optional<T> queryOptional(String sql, Class<T> type, Object... args) {
    return queryOptional(sql, RowMappers.of(type), args);
  }

  /** Reads at most {@code limit} rows; two are enough to tell one from several. */
  private <T> List<T> rows(String sql, RowMapper<T> mapper, Object[] args, int limit) {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(mapper, "mapper");
    checkUsable();
    try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
      List<T> rows = new ArrayList<>(limit == 2 ? 2 : 10);
      while (rows.size() < limit && rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    } catch (SQLException e) {
      throw fail("query", sql, e);
    }
  }

  @Override
  public long insertAndReturnKey(String sql, Object... args) {
    return GeneratedKeys.insert(this, sql, args);
  }

  @Override
  public <K> K insertAndReturnKey(Class<K> keyType, String keyColumn, String sql, Object... args) {
    return GeneratedKeys.insert(this, keyType, keyColumn, sql, args);
  }

  @Override
  public int[] batch(String sql, Collection<Object[]> rows) {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(rows, "rows");
    checkUsable();
    if (rows.isEmpty()) {
      return new int[0];
    }
    StatementGuard.check(sql, attempt.database(), options.name());
    BatchRows.check(sql, rows);
    try (PreparedStatement ps = attempt.connection().prepareStatement(sql)) {
      BatchRows.add(ps, sql, rows, attempt.database().isMysqlFamily());
      applyDeadline(ps);
      return ps.executeBatch();
    } catch (SQLException e) {
      throw fail("batch", sql, e);
    }
  }

  @Override
  public <K> List<K> lockRows(String table, String keyColumn, Collection<K> keys) {
    Objects.requireNonNull(keys, "keys");
    requireIdentifier(table, QUALIFIED, "table");
    requireIdentifier(keyColumn, IDENTIFIER, "keyColumn");
    checkUsable();
    return RowLocks.lock(this, table, keyColumn, keys);
  }

  @Override
  public void lockKeys(String namespace, Collection<?> keys) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(keys, "keys");
    checkUsable();
    Database db = attempt.database();
    List<?> sorted = LockOrder.sorted(keys);
    if (db.isPostgresFamily()) {
      for (Object k : sorted) {
        queryOne("SELECT pg_advisory_xact_lock(hashtextextended(?, 0)) IS NULL", RowMappers.column(Object.class),
            namespace + ":" + k);
      }
    } else if (db.isMysqlFamily()) {
      attempt.userLocksTaken();
      long timeoutSeconds = 50;
      if (context.hasDeadline()) {
        timeoutSeconds = Math.max(0L,
            (context.deadlineNanos() - attempt.resource().ticker().read()) / 1_000_000_000L);
      }
      for (Object k : sorted) {
        String name = namespace + ":" + k;
        if (name.length() > 64) {
          throw new IllegalArgumentException("MariaDB/MySQL lock names are limited to 64 characters; '" + name
              + "' is " + name.length() + ". Use a shorter namespace or key");
        }
        Long got = queryOne("SELECT GET_LOCK(?, ?)", Long.class, name, timeoutSeconds);
        if (got == null || got != 1L) {
          SQLException e = new SQLException("GET_LOCK('" + name + "') timed out after " + timeoutSeconds + " s",
              "HY000", 1205);
          throw DatabaseFailureException.of("lockKeys failed in '" + options.name() + "'", e,
              new Classification(FailureKind.LOCK_TIMEOUT, FailureScope.STATEMENT));
        }
      }
    } else {
      throw new UnsupportedOperationException(db + " has no transaction-scoped advisory locks; lock the rows "
          + "themselves with tx.lockRows(table, keyColumn, keys)");
    }
  }

  @Override
  public Connection connection() {
    checkOpen();
    Connection m = attempt.managed();
    if (m == null) {
      // one managed connection per attempt, shared by its nested blocks: bind it to the outermost block, which
      // lives as long as the connection, not to a nested block that may end first
      TxScope outermost = this;
      while (outermost.parent != null) {
        outermost = outermost.parent;
      }
      m = ManagedConnection.create(outermost, attempt.connection());
      attempt.managed(m);
    }
    return m;
  }

  // ---- hooks and state -----------------------------------------------------------------------------------

  @Override
  public void afterCommit(Runnable hook) {
    Objects.requireNonNull(hook, "hook");
    checkOpen();
    context.hooks().afterCommit(hook);
  }

  @Override
  public void afterRollback(Runnable hook) {
    Objects.requireNonNull(hook, "hook");
    checkOpen();
    context.hooks().afterRollback(hook);
  }

  @Override
  public void afterCompletion(Consumer<CompletionStatus> hook) {
    Objects.requireNonNull(hook, "hook");
    checkOpen();
    context.hooks().afterCompletion(hook);
  }

  @Override
  public void setRollbackOnly() {
    checkOpen();
    if (parent == null) {
      context.setRollbackOnly();
    } else if (joined) {
      parent.setRollbackOnly();
    } else {
      rollbackOnly = true;
    }
  }

  @Override
  public boolean isRollbackOnly() {
    if (parent == null) {
      return context.isRollbackOnly();
    }
    return joined ? parent.isRollbackOnly() : rollbackOnly;
  }

  @Override
  public int attempt() {
    return context.attempt();
  }

  @Override
  public TxOptions options() {
    return options;
  }

  @Override
  public Database database() {
    return attempt.database();
  }

  // ---- savepoints for nested blocks ----------------------------------------------------------------------

  /**
   * Sets a savepoint for a nested block.
   *
   * @return the savepoint
   */
  public Savepoint savepoint() {
    checkUsable();
    try {
      return attempt.connection().setSavepoint();
    } catch (SQLException e) {
      throw fail("savepoint", "SAVEPOINT", e);
    }
  }

  /**
   * Undoes a nested block's work.
   *
   * @param sp the block's savepoint
   */
  public void rollbackTo(Savepoint sp) {
    try {
      attempt.connection().rollback(sp);
    } catch (SQLException e) {
      throw fail("rollback to savepoint", "ROLLBACK TO SAVEPOINT", e);
    }
  }

  /**
   * Releases a nested block's savepoint after it succeeded.
   *
   * @param sp the block's savepoint
   */
  public void release(Savepoint sp) {
    try {
      attempt.connection().releaseSavepoint(sp);
    } catch (SQLException e) {
      throw fail("release savepoint", "RELEASE SAVEPOINT", e);
    }
  }

  private static void requireIdentifier(String s, Pattern p, String what) {
    Objects.requireNonNull(s, what);
    if (!p.matcher(s).matches()) {
      throw new IllegalArgumentException(what + " must be a plain SQL identifier (letters, digits, underscores"
          + (p == QUALIFIED ? ", optionally schema-qualified" : "") + "), was '" + s + "'; txkit never "
          + "concatenates other text into SQL");
    }
  }

  static String abbreviate(String sql) {
    String s = sql.strip();
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
