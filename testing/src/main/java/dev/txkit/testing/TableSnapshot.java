package dev.txkit.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The rows of a table at one moment, to check that a failed transaction persisted nothing partial:
 *
 * <pre>{@code
 * TableSnapshot before = TableSnapshot.of(ds, "accounts", "id");
 * ... a transaction that fails ...
 * TableSnapshot.of(ds, "accounts", "id").assertUnchangedSince(before);
 * }</pre>
 *
 * <p>Read through the real data source when given a {@link FaultyDataSource}, so faults never fire on it.
 * Immutable.
 */
public final class TableSnapshot {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  private final DataSource dataSource;
  private final String table;
  private final String orderColumn;
  private final List<String> columns;
  private final List<List<Object>> rows;

  private TableSnapshot(DataSource dataSource, String table, String orderColumn, List<String> columns,
      List<List<Object>> rows) {
    this.dataSource = dataSource;
    this.table = table;
    this.orderColumn = orderColumn;
    this.columns = columns;
    this.rows = rows;
  }

  /**
   * Reads every row of a table.
   *
   * @param dataSource where to read (a {@link FaultyDataSource} is read through its real data source)
   * @param table the table name
   * @param orderColumn a unique column to order and match rows by (the primary key)
   * @return the snapshot
   * @throws IllegalArgumentException if a name is not a plain SQL identifier
   * @throws IllegalStateException if reading fails
   */
  public static TableSnapshot of(DataSource dataSource, String table, String orderColumn) {
    Objects.requireNonNull(dataSource, "dataSource");
    check(table, "table");
    check(orderColumn, "orderColumn");
    DataSource real = dataSource instanceof FaultyDataSource ? ((FaultyDataSource) dataSource).delegate()
        : dataSource;
    try (Connection c = real.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY " + orderColumn)) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> cols = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        cols.add(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT));
      }
      List<List<Object>> out = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(cols.size());
        for (int i = 1; i <= cols.size(); i++) {
          Object v = rs.getObject(i);
          row.add(v == null ? "NULL" : v);
        }
        out.add(List.copyOf(row));
      }
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      return new TableSnapshot(real, table, orderColumn, List.copyOf(cols), List.copyOf(out));
    } catch (SQLException e) {
      throw new IllegalStateException("Could not read table " + table + ": " + e.getMessage(), e);
    }
  }

  private static void check(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " must be a plain SQL identifier, got '" + name + "'");
    }
  }

  /** @return the column names, lower case */
  public List<String> columns() {
    return columns;
  }

  /** @return the rows in order, each a list of values ("NULL" for SQL NULL) */
  public List<List<Object>> rows() {
    return rows;
  }

  /** @return the number of rows */
  public int size() {
    return rows.size();
  }

  /**
   * Reads the table again.
   *
   * @return a new snapshot of the same table
   */
  public TableSnapshot reread() {
    return of(dataSource, table, orderColumn);
  }

  /**
   * Checks that this snapshot holds the same rows as an earlier one.
   *
   * @param earlier the earlier snapshot
   * @throws AssertionError with a row diff if they differ
   */
  public void assertUnchangedSince(TableSnapshot earlier) {
    String diff = earlier.diff(this);
    if (!diff.isEmpty()) {
      throw new AssertionError("Table " + table + " changed:\n" + diff);
    }
  }

  /**
   * Reads the table again and checks that nothing changed since this snapshot.
   *
   * @throws AssertionError with a row diff if it changed
   */
  public void assertUnchanged() {
    reread().assertUnchangedSince(this);
  }

  /**
   * The differences from this snapshot to a later one, one line a row: {@code - } removed, {@code + } added,
   * {@code ~ } changed (with each changed column); empty when equal.
   *
   * @param later the later snapshot
   * @return the diff
   */
  public String diff(TableSnapshot later) {
    int key = columns.indexOf(orderColumn.toLowerCase(java.util.Locale.ROOT));
    Map<String, List<Object>> before = index(rows, key);
    Map<String, List<Object>> after = index(later.rows, key);
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, List<Object>> e : before.entrySet()) {
      List<Object> now = after.get(e.getKey());
      if (now == null) {
        sb.append("- ").append(format(e.getValue())).append('\n');
      } else if (!sameRow(e.getValue(), now)) {
        sb.append("~ ").append(orderColumn).append('=').append(e.getKey()).append(':');
        for (int i = 0; i < columns.size() && i < now.size(); i++) {
          if (!same(e.getValue().get(i), now.get(i))) {
            sb.append(' ').append(columns.get(i)).append(' ').append(e.getValue().get(i)).append(" -> ")
                .append(now.get(i));
          }
        }
        sb.append('\n');
      }
    }
    for (Map.Entry<String, List<Object>> e : after.entrySet()) {
      if (!before.containsKey(e.getKey())) {
        sb.append("+ ").append(format(e.getValue())).append('\n');
      }
    }
    return sb.toString();
  }

  private Map<String, List<Object>> index(List<List<Object>> rs, int key) {
    Map<String, List<Object>> m = new LinkedHashMap<>();
    for (int i = 0; i < rs.size(); i++) {
      List<Object> r = rs.get(i);
      m.put(key >= 0 ? String.valueOf(r.get(key)) : "#" + i, r);
    }
    return m;
  }

  private static boolean sameRow(List<Object> a, List<Object> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!same(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Number && b instanceof Number) {
      return new java.math.BigDecimal(a.toString()).compareTo(new java.math.BigDecimal(b.toString())) == 0;
    }
    return Objects.equals(a, b);
  }

  private String format(List<Object> row) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < row.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(columns.get(i)).append('=').append(row.get(i));
    }
    return sb.append('}').toString();
  }

  @Override
  public String toString() {
    return "TableSnapshot[" + table + ", " + rows.size() + " rows]";
  }
}
