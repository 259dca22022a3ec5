package dev.txkit.testing;

import dev.txkit.jdbc.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The rows of some tables at one moment, for a {@link Sweep}: compared as multisets of rows (without the columns
 * the sweep ignores, such as generated keys), and written back to restore the tables between runs. Unlike
 * {@link TableSnapshot} it keeps the values as the driver returned them, so that they bind again.
 */
final class TableState {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  /** One table's rows. */
  private static final class Rows {
    final List<String> columns;
    final List<@Nullable Object[]> rows;

    Rows(List<String> columns, List<@Nullable Object[]> rows) {
      this.columns = columns;
      this.rows = rows;
    }
  }

  private final Map<String, Rows> tables;

  private TableState(Map<String, Rows> tables) {
    this.tables = tables;
  }

  static void checkName(String table) {
    if (table == null || !IDENTIFIER.matcher(table).matches()) {
      throw new IllegalArgumentException("A table name must be a plain or schema-qualified SQL identifier, got '"
          + table + "'");
    }
  }

  /** Reads every row of the tables, in one transaction where the connection has one. */
  static TableState read(DataSource ds, List<String> tables) {
    Map<String, Rows> out = new LinkedHashMap<>();
    try (Connection c = ds.getConnection()) {
      for (String t : tables) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + t)) {
          ResultSetMetaData md = rs.getMetaData();
          List<String> cols = new ArrayList<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            cols.add(md.getColumnLabel(i).toLowerCase(Locale.ROOT));
          }
          List<@Nullable Object[]> rows = new ArrayList<>();
          while (rs.next()) {
            Object[] row = new Object[cols.size()];
            for (int i = 0; i < row.length; i++) {
              row[i] = rs.getObject(i + 1);
            }
            rows.add(row);
          }
          out.put(t, new Rows(List.copyOf(cols), rows));
        }
      }
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("The sweep could not read the tables " + tables + ": " + e.getMessage()
          + ". Check the names given to tables(...)", e);
    }
    return new TableState(out);
  }

  /**
   * Writes these rows back: deletes every row of the tables (last table first), then inserts the rows (first
   * table first), in one transaction that waits at most a few seconds for locks.
   */
  void restore(DataSource ds, Database db) {
    List<String> names = new ArrayList<>(tables.keySet());
    try (Connection c = ds.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        try (Statement st = c.createStatement()) {
          // a transaction the code under test leaked must not make the sweep wait for ever
          String prefix = "";
          if (db.isPostgresFamily()) {
            st.execute("SET LOCAL lock_timeout = '5s'");
          } else if (db == Database.MARIADB) {
            prefix = "SET STATEMENT innodb_lock_wait_timeout = 5 FOR ";
          }
          for (int i = names.size() - 1; i >= 0; i--) {
            st.executeUpdate(prefix + "DELETE FROM " + names.get(i));
          }
        }
        for (String t : names) {
          Rows r = Objects.requireNonNull(tables.get(t));
          if (r.rows.isEmpty()) {
            continue;
          }
          String sql = "INSERT INTO " + t + " (" + String.join(", ", r.columns) + ") VALUES ("
              + String.join(", ", Collections.nCopies(r.columns.size(), "?")) + ")";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : r.rows) {
              for (int i = 0; i < row.length; i++) {
                ps.setObject(i + 1, row[i]);
              }
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("The sweep could not restore the tables " + names + ": " + e.getMessage()
          + ". A column the database generates ALWAYS cannot be written back: give the sweep a reset(...) instead",
          e);
    }
  }

  /**
   * Whether another state holds the same rows, ignoring some columns.
   *
   * @param other the other state
   * @param ignored per table, the lower-case columns to leave out
   */
  boolean sameAs(TableState other, Map<String, Set<String>> ignored) {
    return diff(other, ignored).isEmpty();
  }

  /**
   * The rows that differ, one line each: {@code -} only here, {@code +} only in the other; empty when equal.
   */
  String diff(TableState other, Map<String, Set<String>> ignored) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Rows> e : tables.entrySet()) {
      Rows mine = e.getValue();
      Rows theirs = other.tables.get(e.getKey());
      Set<String> skip = ignored.getOrDefault(e.getKey().toLowerCase(Locale.ROOT), Set.of());
      Map<String, Integer> counts = new HashMap<>();
      Map<String, String> shown = new LinkedHashMap<>();
      for (Object[] row : mine.rows) {
        String k = key(mine.columns, row, skip);
        counts.merge(k, 1, Integer::sum);
        shown.putIfAbsent(k, format(mine.columns, row, skip));
      }
      List<String> added = new ArrayList<>();
      if (theirs != null) {
        for (Object[] row : theirs.rows) {
          String k = key(theirs.columns, row, skip);
          Integer n = counts.get(k);
          if (n == null || n == 0) {
            added.add(format(theirs.columns, row, skip));
          } else {
            counts.put(k, n - 1);
          }
        }
      }
      for (Map.Entry<String, Integer> c : counts.entrySet()) {
        for (int i = 0; i < c.getValue(); i++) {
          sb.append("  - ").append(e.getKey()).append(' ').append(shown.get(c.getKey())).append('\n');
        }
      }
      for (String a : added) {
        sb.append("  + ").append(e.getKey()).append(' ').append(a).append('\n');
      }
    }
    return sb.toString();
  }

  private static String key(List<String> columns, Object[] row, Set<String> skip) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < row.length; i++) {
      if (!skip.contains(columns.get(i))) {
        sb.append(normal(row[i])).append('\u0001');
      }
    }
    return sb.toString();
  }

  private static String format(List<String> columns, Object[] row, Set<String> skip) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (int i = 0; i < row.length; i++) {
      if (!skip.contains(columns.get(i))) {
        sb.append(first ? "" : ", ").append(columns.get(i)).append('=').append(row[i] instanceof byte[]
            ? Arrays.toString((byte[]) row[i]) : String.valueOf(row[i]));
        first = false;
      }
    }
    return sb.append('}').toString();
  }

  private static String normal(@Nullable Object v) {
    if (v == null) {
      return "\u0000null";
    }
    if (v instanceof Number) {
      try {
        return new BigDecimal(v.toString()).stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        return v.toString();
      }
    }
    if (v instanceof byte[]) {
      return Arrays.toString((byte[]) v);
    }
    return v.toString();
  }

  /** @return the number of rows of all tables */
  int rowCount() {
    int n = 0;
    for (Rows r : tables.values()) {
      n += r.rows.size();
    }
    return n;
  }
}
