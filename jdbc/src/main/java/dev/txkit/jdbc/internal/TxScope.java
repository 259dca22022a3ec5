package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.CompletionStatus;
import dev.txkit.DatabaseFailureException;
import dev.txkit.LockOrder;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.RowMapper;
import dev.txkit.jdbc.RowMappers;
import dev.txkit.jdbc.Tx;
import dev.txkit.spi.TransactionScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The {@link Tx} of one block: the statement wrappers, lock helpers and hooks, built on the engine's
 * {@link TransactionScope}. Every failure goes to the scope, which alone classifies it, dooms the attempt and
 * enforces the deadline. Confined to its attempt's thread.
 *
 * <p>Its length is the {@link Tx} interface's: twenty wrappers, each a few lines of preparing, binding and
 * reporting failures; what differs by database is in the {@link Dialect}, the larger helpers in their own classes
 * ({@link RowLocks}, {@link GeneratedKeys}, {@link BatchRows}).
 */
public class TxScope implements Tx {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern QUALIFIED = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  final TransactionScope<JdbcAttempt> scope;
  final JdbcAttempt attempt;
  /** Whether this handle stands for whichever block of the attempt is innermost (the shared raw connection's). */
  private final boolean followsInnermost;
  /** Whether the engine measures the attempt: statements are timed only then (decided once per attempt). */
  private final boolean measured;

  /**
   * @param scope the block
   */
  public TxScope(TransactionScope<JdbcAttempt> scope) {
    this(scope, false);
  }

  private TxScope(TransactionScope<JdbcAttempt> scope, boolean followsInnermost) {
    this.scope = scope;
    this.attempt = scope.transaction();
    this.followsInnermost = followsInnermost;
    this.measured = scope.measured();
  }

  /** @return the attempt's JDBC transaction */
  JdbcAttempt jdbcAttempt() {
    return attempt;
  }

  /** The block a statement run now belongs to. */
  private TransactionScope<JdbcAttempt> current() {
    return followsInnermost ? scope.innermost() : scope;
  }

  /** @return whether this block has ended */
  public boolean isEnded() {
    return scope.isEnded();
  }

  // ---- checks -------------------------------------------------------------------------------------------

  /** Fails unless this tx may be used now from this thread. */
  public void checkOpen() {
    current().checkOpen();
  }

  /** Fails unless statements may run: usable, and the attempt not doomed. */
  public void checkUsable() {
    current().checkUsable();
  }

  /**
   * Refuses a statement that writes in a read-only block nested in a read-write transaction: the database cannot
   * guard it (a transaction's read-only setting is fixed when it begins), so txkit does, from the statement's text.
   *
   * @param sql the statement
   */
  void checkWritable(String sql) {
    TransactionScope<JdbcAttempt> s = current();
    if (s.readOnly() && !s.transactionReadOnly() && SqlText.writes(sql)) {
      throw new IllegalStateException("Statement refused: '" + s.options().name() + "' is read-only but the "
          + "statement writes [" + abbreviate(sql) + "]. Make the block read-write (a read-only block nested in a "
          + "read-write transaction refuses writes), or write outside it");
    }
  }

  /**
   * Reports a failure of a statement run in this transaction (raw JDBC, passed on unchanged).
   *
   * @param e the driver's exception
   * @return its classification
   */
  public Classification onFailure(SQLException e) {
    return current().observe(e);
  }

  RuntimeException fail(String what, String sql, SQLException e) {
    return current().failed(e, c -> DatabaseFailureException.of(what + " failed in '" + options().name() + "' ["
        + abbreviate(sql) + "]", e, c));
  }

  /**
   * Gives the statement the time left before the block's deadline.
   *
   * @param st the statement about to run
   * @throws SQLException if setting the timeout fails
   */
  public void applyDeadline(Statement st) throws SQLException {
    TransactionScope<JdbcAttempt> s = current();
    if (s.hasDeadline()) {
      attempt.dialect().applyTimeout(attempt, st, s.remainingNanos());
    }
  }

  /** @return whether statements are timed (see {@link TransactionScope#measured()}) */
  boolean measured() {
    return measured;
  }

  /**
   * A statement is about to run; call only when {@link #measured()}.
   *
   * @return what to pass to {@link #statementEnded}
   */
  long statementStarted() {
    return scope.statementStarted();
  }

  void statementEnded(long started) {
    scope.statementEnded(started);
  }

  private PreparedStatement prepare(String sql, Object[] args) throws SQLException {
    return prepare(sql, args, false);
  }

  private PreparedStatement prepare(String sql, Object[] args, boolean returnKeys) throws SQLException {
    StatementGuard.check(sql, attempt.database(), options().name());
    checkWritable(sql);
    PreparedStatement ps = returnKeys ? attempt.connection().prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
        : attempt.connection().prepareStatement(sql);
    try {
      attempt.dialect().bind(ps, args);
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
    long t = measured ? scope.statementStarted() : 0L;
    try (PreparedStatement ps = prepare(sql, args)) {
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw fail("update", sql, e);
    } finally {
      if (measured) {
        scope.statementEnded(t);
      }
    }
  }

  @Override
  public void updateOne(String sql, Object... args) {
    int n = update(sql, args);
    if (n != 1) {
      throw new UnexpectedRowCountException("Expected exactly one row to change but " + n + " did, in '"
          + options().name() + "' [" + abbreviate(sql) + "]; the transaction will roll back", 1, n);
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
          + (rows.size() > 1 ? " or more" : "") + ", in '" + options().name() + "' [" + abbreviate(sql) + "]", 1,
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
          + options().name() + "' [" + abbreviate(sql) + "]", 1, rows.size());
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
    long t = measured ? scope.statementStarted() : 0L;
    try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
      List<T> rows = new ArrayList<>(limit == 2 ? 2 : 10);
      while (rows.size() < limit && rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    } catch (SQLException e) {
      throw fail("query", sql, e);
    } finally {
      if (measured) {
        scope.statementEnded(t);
      }
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
    StatementGuard.check(sql, attempt.database(), options().name());
    checkWritable(sql);
    BatchRows.check(sql, rows);
    long t = measured ? scope.statementStarted() : 0L;
    try (PreparedStatement ps = attempt.connection().prepareStatement(sql)) {
      BatchRows.add(ps, sql, rows, attempt.dialect());
      applyDeadline(ps);
      return ps.executeBatch();
    } catch (SQLException e) {
      throw fail("batch", sql, e);
    } finally {
      if (measured) {
        scope.statementEnded(t);
      }
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
    attempt.dialect().lockKeys(this, namespace, LockOrder.sorted(keys));
  }

  @Override
  public Connection connection() {
    checkOpen();
    Connection m = attempt.managed();
    if (m == null) {
      // one managed connection per attempt, shared by its blocks: each call is checked against (and gets the
      // deadline of) whichever block is innermost at that moment, so it outlives a nested block that asked first
      m = ManagedConnection.create(new TxScope(attempt.scope(), true), attempt.connection());
      attempt.managed(m);
    }
    return m;
  }

  // ---- hooks and state -----------------------------------------------------------------------------------

  @Override
  public void afterCommit(Runnable hook) {
    scope.afterCommit(hook);
  }

  @Override
  public void afterRollback(Runnable hook) {
    scope.afterRollback(hook);
  }

  @Override
  public void afterCompletion(Consumer<CompletionStatus> hook) {
    scope.afterCompletion(hook);
  }

  @Override
  public void setRollbackOnly() {
    scope.setRollbackOnly();
  }

  @Override
  public boolean isRollbackOnly() {
    return scope.isRollbackOnly();
  }

  @Override
  public int attempt() {
    return scope.attempt();
  }

  @Override
  public TxOptions options() {
    return scope.options();
  }

  @Override
  public Database database() {
    return attempt.dialect().database;
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
