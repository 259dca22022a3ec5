package dev.txkit.jdbc.internal;

import dev.txkit.UnexpectedRowCountException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code tx.insertAndReturnKey}: runs an INSERT and reads the key the database generated. Drivers answer
 * {@code RETURN_GENERATED_KEYS} differently: H2 returns the identity column, MariaDB Connector/J one
 * {@code insert_id} column, and pgjdbc the whole inserted row ({@code RETURNING *}), whose first column need
 * not be the key. So without a named key column, txkit takes the only column, or else the only auto-increment
 * one, and otherwise says which columns it cannot choose between; with a named key column it asks the driver for
 * that column alone.
 */
final class GeneratedKeys {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private GeneratedKeys() {
  }

  /**
   * The generated key of an INSERT, without naming its column.
   *
   * @param scope the block running it
   * @param sql the INSERT
   * @param args its parameters
   * @return the key
   */
  static long insert(TxScope scope, String sql, Object[] args) {
    Objects.requireNonNull(sql, "sql");
    scope.checkUsable();
    JdbcAttempt attempt = scope.jdbcAttempt();
    StatementGuard.check(sql, attempt.database(), scope.options().name());
    scope.checkWritable(sql);
    try (PreparedStatement ps = attempt.connection().prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
      try (ResultSet keys = run(scope, ps, sql, args)) {
        ResultSetMetaData md = keys.getMetaData();
        int n = md.getColumnCount();
        int column = n == 1 ? 1 : onlyAutoIncrement(md);
        if (column < 1) {
          throw new IllegalArgumentException("The driver returned " + n + " columns as generated keys ("
              + columns(md) + ") and cannot tell which one is the generated key, in '" + scope.options().name()
              + "' [" + TxScope.abbreviate(sql) + "]" + (attempt.database().isPostgresFamily()
                  ? " (pgjdbc returns the whole inserted row)" : "") + ". Name it: tx.insertAndReturnKey("
              + "Long.class, \"id\", sql, args...)");
        }
        return keys.getLong(column);
      }
    } catch (SQLException e) {
      throw failure(scope, sql, e);
    }
  }

  /**
   * The generated value of a named key column.
   *
   * @param scope the block running it
   * @param keyType the key's Java type
   * @param keyColumn the key column, a plain identifier
   * @param sql the INSERT
   * @param args its parameters
   * @param <K> the key type
   * @return the key
   */
  static <K> K insert(TxScope scope, Class<K> keyType, String keyColumn, String sql, Object[] args) {
    Objects.requireNonNull(sql, "sql");
    Objects.requireNonNull(keyColumn, "keyColumn");
    Objects.requireNonNull(keyType, "keyType");
    if (!IDENTIFIER.matcher(keyColumn).matches()) {
      throw new IllegalArgumentException("keyColumn must be a plain SQL identifier (letters, digits, "
          + "underscores), was '" + keyColumn + "'");
    }
    scope.checkUsable();
    JdbcAttempt attempt = scope.jdbcAttempt();
    StatementGuard.check(sql, attempt.database(), scope.options().name());
    scope.checkWritable(sql);
    // PostgreSQL folds unquoted names to lower case, but pgjdbc quotes the names it is given
    String asked = attempt.database().isPostgresFamily() ? keyColumn.toLowerCase(Locale.ROOT) : keyColumn;
    Connection c = attempt.connection();
    try (PreparedStatement ps = c.prepareStatement(sql, new String[] {asked})) {
      try (ResultSet keys = run(scope, ps, sql, args)) {
        ResultSetMetaData md = keys.getMetaData();
        int column = 0;
        for (int i = 1; i <= md.getColumnCount(); i++) {
          if (md.getColumnLabel(i).equalsIgnoreCase(keyColumn)) {
            column = i;
            break;
          }
        }
        if (column == 0 && md.getColumnCount() == 1) {
          column = 1; // MariaDB Connector/J calls it insert_id whatever was asked
        }
        if (column == 0) {
          throw new IllegalArgumentException("The driver returned no generated key named " + keyColumn + " ("
              + columns(md) + "), in '" + scope.options().name() + "' [" + TxScope.abbreviate(sql) + "]");
        }
        return keys.getObject(column, boxed(keyType));
      }
    } catch (SQLException e) {
      throw failure(scope, sql, e);
    }
  }

  /** Binds, runs the INSERT, and positions the generated keys on their row. */
  private static ResultSet run(TxScope scope, PreparedStatement ps, String sql, Object[] args) throws SQLException {
    scope.jdbcAttempt().dialect().bind(ps, args);
    scope.applyDeadline(ps);
    boolean measured = scope.measured();
    long t = measured ? scope.statementStarted() : 0L;
    ResultSet keys;
    boolean found;
    try {
      ps.executeUpdate();
      keys = ps.getGeneratedKeys();
      found = keys.next();
    } finally {
      if (measured) {
        scope.statementEnded(t);
      }
    }
    if (!found) {
      keys.close();
      throw new UnexpectedRowCountException("The insert generated no key, in '" + scope.options().name() + "' ["
          + TxScope.abbreviate(sql) + "]; use update() for tables without generated keys", 1, 0);
    }
    return keys;
  }

  private static int onlyAutoIncrement(ResultSetMetaData md) throws SQLException {
    int found = 0;
    for (int i = 1; i <= md.getColumnCount(); i++) {
      if (md.isAutoIncrement(i)) {
        if (found != 0) {
          return 0;
        }
        found = i;
      }
    }
    return found;
  }

  private static String columns(ResultSetMetaData md) throws SQLException {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      names.add(md.getColumnLabel(i));
    }
    return String.join(", ", names);
  }

  @SuppressWarnings("unchecked")
  private static <K> Class<K> boxed(Class<K> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    Class<?> b = type == long.class ? Long.class : type == int.class ? Integer.class : type == short.class
        ? Short.class : type == byte.class ? Byte.class : type;
    return (Class<K>) b;
  }

  private static RuntimeException failure(TxScope scope, String sql, SQLException e) {
    return scope.fail("insert", sql, e);
  }
}
