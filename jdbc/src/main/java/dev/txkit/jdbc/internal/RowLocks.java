package dev.txkit.jdbc.internal;

import dev.txkit.LockOrder;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tx.lockRows}: locks rows in the canonical order with ordered {@code SELECT ... FOR UPDATE} statements of
 * at most {@value #CHUNK} keys each (drivers bind at most 65,535 parameters in one statement, H2 100,000; and a
 * long IN list is slow to plan), in ascending key order across the chunks too.
 *
 * <p>Before anything is locked, the keys' Java type is checked against the key column's SQL type: numbers
 * against a text column or text against a number column would lock whatever the database's conversion matches
 * (MariaDB takes {@code 'abc'} for {@code 0}). The column's type is learned once per {@code Transactions} and
 * column, with one {@code SELECT column FROM table WHERE 1 = 0}, and learned again before refusing keys, so that
 * a changed table is never refused on an old answer.
 */
final class RowLocks {

  /** Keys locked by one statement. */
  static final int CHUNK = 1_000;

  private static final int NUMBER = 1;
  private static final int TEXT = 2;
  private static final int OTHER = 0;

  private RowLocks() {
  }

  /**
   * Locks the rows of the given keys.
   *
   * @param scope the block
   * @param table a checked table identifier
   * @param keyColumn a checked column identifier
   * @param keys the keys
   * @param <K> the key type
   * @return the keys that exist, in lock order
   */
  static <K> List<K> lock(TxScope scope, String table, String keyColumn, Collection<K> keys) {
    List<K> sorted = LockOrder.sorted(keys);
    if (sorted.isEmpty()) {
      return sorted;
    }
    checkType(scope, table, keyColumn, sorted.get(0));
    Dialect dialect = scope.jdbcAttempt().dialect();
    List<K> locked = new ArrayList<>(Math.min(sorted.size(), 1_024));
    String fullChunk = null;
    for (int from = 0; from < sorted.size(); from += CHUNK) {
      List<K> chunk = sorted.subList(from, Math.min(sorted.size(), from + CHUNK));
      String sql;
      if (chunk.size() == CHUNK) {
        if (fullChunk == null) {
          fullChunk = dialect.lockRowsSql(table, keyColumn, CHUNK);
        }
        sql = fullChunk;
      } else {
        sql = dialect.lockRowsSql(table, keyColumn, chunk.size());
      }
      Class<?> keyClass = chunk.get(0).getClass();
      List<Object> found = scope.query(sql, rs -> read(rs, keyClass), chunk.toArray());
      match(chunk, found, locked);
    }
    return locked;
  }

  /** Reads a found key as the keys' class where that is not a number (numbers compare by value anyway). */
  private static Object read(ResultSet rs, Class<?> keyClass) throws SQLException {
    if (Number.class.isAssignableFrom(keyClass) || keyClass == String.class) {
      return rs.getObject(1);
    }
    try {
      return rs.getObject(1, keyClass);
    } catch (SQLException e) {
      return rs.getObject(1);
    }
  }

  /** Adds the keys of {@code chunk} that were found, both in lock order. */
  private static <K> void match(List<K> chunk, List<Object> found, List<K> locked) {
    int j = 0;
    for (Object f : found) {
      while (j < chunk.size() && LockOrder.comparator().compare(chunk.get(j), f) < 0) {
        j++;
      }
      if (j < chunk.size() && LockOrder.comparator().compare(chunk.get(j), f) == 0) {
        locked.add(chunk.get(j));
      }
    }
  }

  private static void checkType(TxScope scope, String table, String keyColumn, Object key) {
    int keyKind = kindOf(key);
    if (keyKind == OTHER) {
      return;
    }
    Map<String, Integer> kinds = scope.jdbcAttempt().resource().lockColumnKinds();
    String name = (table + "." + keyColumn).toLowerCase(Locale.ROOT);
    Integer columnKind = kinds.get(name);
    if (columnKind == null || (columnKind != OTHER && columnKind != keyKind)) {
      int[] sqlType = new int[1];
      columnKind = probe(scope, table, keyColumn, sqlType);
      kinds.put(name, columnKind);
      if (columnKind != OTHER && columnKind != keyKind) {
        throw new IllegalArgumentException("lockRows(\"" + table + "\", \"" + keyColumn + "\", keys): the keys are "
            + key.getClass().getSimpleName() + " but column " + keyColumn + " of " + table + " holds "
            + (columnKind == NUMBER ? "numbers" : "text") + " (" + typeName(sqlType[0]) + "); the database would "
            + "convert them and lock whatever matches. Pass keys of the column's type. No row was locked");
      }
    }
  }

  /** Asks the database for the key column's type, inside the transaction, as a statement of it. */
  private static int probe(TxScope scope, String table, String keyColumn, int[] sqlType) {
    String sql = "SELECT " + keyColumn + " FROM " + table + " WHERE 1 = 0";
    try (PreparedStatement ps = scope.jdbcAttempt().connection().prepareStatement(sql)) {
      scope.applyDeadline(ps);
      try (ResultSet rs = ps.executeQuery()) {
        sqlType[0] = rs.getMetaData().getColumnType(1);
        return kindOfColumn(sqlType[0]);
      }
    } catch (SQLException e) {
      throw scope.fail("lockRows", sql, e);
    }
  }

  private static int kindOf(Object key) {
    if (key instanceof Integer || key instanceof Long || key instanceof Short || key instanceof Byte
        || key instanceof BigInteger || key instanceof BigDecimal) {
      return NUMBER;
    }
    if (key instanceof CharSequence || key instanceof Character) {
      return TEXT;
    }
    return OTHER;
  }

  private static int kindOfColumn(int type) {
    switch (type) {
      case Types.TINYINT:
      case Types.SMALLINT:
      case Types.INTEGER:
      case Types.BIGINT:
      case Types.DECIMAL:
      case Types.NUMERIC:
        return NUMBER;
      case Types.CHAR:
      case Types.VARCHAR:
      case Types.LONGVARCHAR:
      case Types.NCHAR:
      case Types.NVARCHAR:
      case Types.LONGNVARCHAR:
        return TEXT;
      default:
        return OTHER;
    }
  }

  private static String typeName(int type) {
    for (java.lang.reflect.Field f : Types.class.getFields()) {
      try {
        if (f.getInt(null) == type) {
          return f.getName();
        }
      } catch (IllegalAccessException e) {
        break;
      }
    }
    return "type " + type;
  }
}
