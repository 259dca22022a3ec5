package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.Database;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The session state that raw JDBC on the managed connection changed beyond autocommit, isolation and read-only:
 * schema (on PostgreSQL the whole {@code search_path}), catalog, holdability, network timeout, client info and
 * type map. Each original value is read once, just before its setter is first called, and written back when the
 * attempt ends; a transaction that calls no such setter costs nothing. Pools differ in what they reset (HikariCP
 * resets catalog, schema and network timeout; H2's {@code JdbcConnectionPool} nothing of it), so txkit does not
 * rely on them.
 *
 * <p>Confined to the attempt's thread.
 */
final class SessionState {

  private static final Set<String> SETTERS = Set.of("setSchema", "setCatalog", "setHoldability",
      "setNetworkTimeout", "setClientInfo", "setTypeMap");
  private static final Executor DIRECT = Runnable::run;

  /** A call on the driver's connection. */
  @FunctionalInterface
  interface Call {
    @Nullable Object run() throws Throwable;
  }

  private final Database database;
  private boolean schemaSaved;
  private @Nullable String schema;
  private @Nullable String searchPath;
  private boolean catalogSaved;
  private @Nullable String catalog;
  private int holdability = -1;
  private int networkTimeout = -1;
  private @Nullable Properties clientInfo;
  private @Nullable Map<String, Class<?>> typeMap;
  private boolean typeMapSaved;

  SessionState(Database database) {
    this.database = database;
  }

  /**
   * @param method a {@code Connection} method name
   * @return whether it is a setter of state that this class restores
   */
  static boolean tracks(String method) {
    return SETTERS.contains(method);
  }

  /**
   * Runs a setter, having saved the value it changes if it is the first call of that setter in the attempt.
   * If the setter fails, nothing is saved (there is nothing to restore).
   *
   * @param c the driver's connection
   * @param method the setter
   * @param args its arguments
   * @param call runs it
   * @return what it returned
   * @throws Throwable what it threw
   */
  @Nullable Object set(Connection c, Method method, Object @Nullable [] args, Call call) throws Throwable {
    String name = method.getName();
    boolean saved = save(c, name);
    try {
      return call.run();
    } catch (Throwable t) {
      if (saved) {
        forget(name);
      }
      throw t;
    }
  }

  /** Saves the original value behind a setter, once; @return whether it was saved now */
  private boolean save(Connection c, String setter) throws SQLException {
    switch (setter) {
      case "setSchema":
        if (schemaSaved) {
          return false;
        }
        if (database.isPostgresFamily()) {
          // pgjdbc's setSchema replaces the whole search_path with one schema: keep the list as it was
          try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW search_path")) {
            searchPath = rs.next() ? rs.getString(1) : null;
          }
        } else {
          schema = c.getSchema();
        }
        schemaSaved = true;
        return true;
      case "setCatalog":
        if (catalogSaved) {
          return false;
        }
        catalog = c.getCatalog();
        catalogSaved = true;
        return true;
      case "setHoldability":
        if (holdability != -1) {
          return false;
        }
        holdability = c.getHoldability();
        return true;
      case "setNetworkTimeout":
        if (networkTimeout != -1) {
          return false;
        }
        networkTimeout = c.getNetworkTimeout();
        return true;
      case "setClientInfo":
        if (clientInfo != null) {
          return false;
        }
        Properties p = new Properties();
        p.putAll(c.getClientInfo());
        clientInfo = p;
        return true;
      case "setTypeMap":
        if (typeMapSaved) {
          return false;
        }
        typeMap = c.getTypeMap();
        typeMapSaved = true;
        return true;
      default:
        return false;
    }
  }

  private void forget(String setter) {
    switch (setter) {
      case "setSchema":
        schemaSaved = false;
        break;
      case "setCatalog":
        catalogSaved = false;
        break;
      case "setHoldability":
        holdability = -1;
        break;
      case "setNetworkTimeout":
        networkTimeout = -1;
        break;
      case "setClientInfo":
        clientInfo = null;
        break;
      default:
        typeMapSaved = false;
    }
  }

  /**
   * Puts back what the managed connection's setters changed, after the transaction's commit or rollback and
   * before the connection goes back to the pool. Does nothing (no call at all) if no setter was called.
   *
   * @param managed the attempt's managed connection, or null if it handed none out
   * @param c the driver's connection
   * @throws SQLException if restoring fails; the caller then discards the connection
   */
  static void restore(@Nullable Connection managed, Connection c) throws SQLException {
    SessionState s = ManagedConnection.sessionOf(managed);
    if (s != null) {
      s.restore(c);
    }
  }

  private void restore(Connection c) throws SQLException {
    if (catalogSaved && catalog != null) {
      c.setCatalog(catalog);
    }
    if (schemaSaved) {
      if (database.isPostgresFamily()) {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path', ?, false)")) {
          ps.setString(1, searchPath == null ? "" : searchPath);
          ps.executeQuery().close();
        }
      } else if (schema != null) {
        c.setSchema(schema);
      }
    }
    if (holdability != -1) {
      c.setHoldability(holdability);
    }
    if (networkTimeout != -1) {
      c.setNetworkTimeout(DIRECT, networkTimeout);
    }
    if (clientInfo != null) {
      c.setClientInfo(clientInfo);
    }
    if (typeMapSaved && typeMap != null) {
      c.setTypeMap(typeMap);
    }
    if (database.isPostgresFamily() && !c.getAutoCommit()) {
      // pgjdbc restores search_path and application_name with SQL, which with autocommit off opened a
      // transaction: end it, or a rollback by the next user would undo the restore (a no-op if none is open)
      c.commit();
    }
  }
}
