package dev.txkit.jdbc;

import dev.txkit.Isolation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/** Asks the database itself (not the driver's cache) about a session's transaction settings. */
final class ServerState {

  private ServerState() {
  }

  /**
   * @param db the database
   * @return a query returning the session's current isolation as text, in the database's spelling
   */
  static String isolationQuery(Database db) {
    switch (db) {
      case POSTGRESQL:
        return "SHOW transaction_isolation";
      case MARIADB:
        return "SELECT @@tx_isolation";
      case H2:
        return "SELECT ISOLATION_LEVEL FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = SESSION_ID()";
      default:
        throw new IllegalArgumentException(db.toString());
    }
  }

  /**
   * @param text an isolation level as a database spells it ("read committed", "REPEATABLE-READ")
   * @return the level
   */
  static Isolation parse(String text) {
    return Isolation.valueOf(text.trim().toUpperCase(Locale.ROOT).replace(' ', '_').replace('-', '_'));
  }

  static Isolation isolation(Database db, Connection c) throws SQLException {
    return parse(string(c, isolationQuery(db)));
  }

  /** @return whether the server considers the session (PostgreSQL: the next transaction) read-only */
  static boolean readOnly(Database db, Connection c) throws SQLException {
    switch (db) {
      case POSTGRESQL:
        return string(c, "SHOW transaction_read_only").equals("on");
      case MARIADB:
        return string(c, "SELECT @@tx_read_only").equals("1");
      default:
        return c.isReadOnly();
    }
  }

  /** @return whether the session is in autocommit mode, as the server sees it where it can tell */
  static boolean autoCommit(Database db, Connection c) throws SQLException {
    if (db == Database.MARIADB) {
      return string(c, "SELECT @@autocommit").equals("1");
    }
    return c.getAutoCommit();
  }

  static String string(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        throw new IllegalStateException("no row: " + sql);
      }
      return rs.getString(1);
    }
  }
}
