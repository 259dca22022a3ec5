package dev.txkit.testing;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The primary keys of the tables the {@link LockOrderChecker} sees: declared by the user, or read from the
 * database's metadata on first sight of a table, through the connection the statement ran on (so that a pool of
 * one connection does not wait for itself). Table names are tried as written, upper and lower case, since H2
 * folds them up and PostgreSQL down. Thread-safe.
 */
final class PrimaryKeys {

  private final Map<String, List<String>> declared = new ConcurrentHashMap<>();
  private final Map<String, List<String>> learned = new ConcurrentHashMap<>();

  void declare(String table, List<String> columns) {
    List<String> lower = new ArrayList<>();
    for (String c : columns) {
      lower.add(c.toLowerCase(Locale.ROOT));
    }
    declared.put(table.toLowerCase(Locale.ROOT), List.copyOf(lower));
  }

  /**
   * A table's primary key columns, lower case, in key order: declared, else read from the metadata of the
   * connection (once per table); empty when the table has none or was not found.
   */
  List<String> of(String table, @Nullable Connection c) throws SQLException {
    String key = table.toLowerCase(Locale.ROOT);
    List<String> d = declared.get(key);
    if (d != null) {
      return d;
    }
    List<String> l = learned.get(key);
    if (l != null) {
      return l;
    }
    if (c == null) {
      return List.of();
    }
    String schema = null;
    String name = table;
    int dot = table.indexOf('.');
    if (dot > 0) {
      schema = table.substring(0, dot);
      name = table.substring(dot + 1);
    }
    DatabaseMetaData md = c.getMetaData();
    List<String> found = List.of();
    for (String n : List.of(name, name.toUpperCase(Locale.ROOT), name.toLowerCase(Locale.ROOT))) {
      String catalog = c.getCatalog();
      found = read(md, catalog, schema, n);
      if (found.isEmpty() && catalog != null) {
        found = read(md, null, schema, n);
      }
      if (!found.isEmpty()) {
        break;
      }
    }
    learned.put(key, found);
    return found;
  }

  private static List<String> read(DatabaseMetaData md, @Nullable String catalog, @Nullable String schema,
      String table) throws SQLException {
    TreeMap<Integer, String> cols = new TreeMap<>();
    try (ResultSet rs = md.getPrimaryKeys(catalog, schema, table)) {
      while (rs.next()) {
        cols.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
      }
    }
    return List.copyOf(cols.values());
  }
}
