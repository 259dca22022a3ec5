package dev.txkit.jdbc.internal;

import dev.txkit.Isolation;
import dev.txkit.TransactionWarning;
import dev.txkit.jdbc.Database;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The driver self-check, run once per {@code Transactions} on its first connection: settings of the driver, the
 * pool and the database that change how transactions behave, each with what to change. At most one query per
 * database; the first use of each isolation level is checked when it is set ({@link #isolation}). See
 * {@code docs/observability.md}.
 */
final class SelfCheck {

  /** An H2 lock timeout below this makes every conflicting write fail at once. */
  static final long H2_SHORT_LOCK_TIMEOUT_MILLIS = 100;
  /** A MariaDB/MySQL lock wait above this keeps a blocked transaction (and its connection) waiting for minutes. */
  static final long LONG_LOCK_WAIT_SECONDS = 120;

  private SelfCheck() {
  }

  private static TransactionWarning warning(String message) {
    return new TransactionWarning(TransactionWarning.Kind.CONFIGURATION, null, 0, message, null);
  }

  /**
   * Checks the first connection.
   *
   * @param dataSource where it came from
   * @param c the connection, not in a transaction of the caller's
   * @param db the database
   * @return the warnings, empty when all is well
   * @throws SQLException if a check query fails
   */
  static List<TransactionWarning> connection(DataSource dataSource, Connection c, Database db) throws SQLException {
    List<TransactionWarning> out = new ArrayList<>();
    boolean autoCommit = c.getAutoCommit();
    if (!autoCommit) {
      String pool = HikariSupport.poolName(dataSource);
      out.add(warning((pool != null ? "HikariCP pool '" + pool + "' (autoCommit=false)" : "The data source")
          + " hands out connections with autocommit off. txkit's own transactions work, but any other code that "
          + "takes a connection runs in a transaction nobody commits: its writes are rolled back when the "
          + "connection goes back to the pool, silently. Set autoCommit=true (HikariCP's default) and let txkit "
          + "turn it off for its transactions"));
    }
    try {
      switch (db) {
        case POSTGRESQL:
        case COCKROACHDB:
        case YUGABYTEDB:
          String autosave = pgAutosave(c);
          if (autosave != null && !autosave.equalsIgnoreCase("never")) {
            out.add(warning("pgjdbc runs with autosave=" + autosave.toLowerCase(Locale.ROOT) + ": it sets a "
                + "savepoint before every statement (a round trip each)" + (autosave.equalsIgnoreCase("always")
                ? " and rolls back to it when a statement fails, so code that catches a serialization failure or "
                + "deadlock can carry on in a transaction whose COMMIT will fail anyway" : "") + ". txkit ends the "
                + "attempt at the first transaction-scope failure whatever this setting says, and retries it; "
                + "remove autosave from the URL or data source properties (the default is never)"));
          }
          break;
        case MARIADB:
        case MYSQL:
          Connection own = driverConnection(c, db == Database.MARIADB ? "org.mariadb.jdbc.Connection"
              : "com.mysql.cj.jdbc.JdbcConnection");
          if (own == null && db == Database.MYSQL) {
            own = driverConnection(c, "org.mariadb.jdbc.Connection");
          }
          if (own != null) {
            mysql(own, out);
          }
          break;
        case H2:
          Connection h2 = driverConnection(c, "org.h2.jdbc.JdbcConnection");
          if (h2 != null) {
            h2(h2, out);
          }
          break;
        default:
          break;
      }
    } finally {
      if (!autoCommit) {
        c.rollback();
      }
    }
    return out;
  }

  /**
   * The driver's own connection under pool and proxy wrappers, for txkit's own queries: they are not the
   * application's statements, and wrappers that count or fail statements (a fault-injecting test proxy) must not
   * see them. Null when the driver's class cannot be found or the connection does not wrap it: the check is
   * skipped.
   */
  private static @Nullable Connection driverConnection(Connection c, String driverClass) {
    for (ClassLoader loader : new ClassLoader[] {c.getClass().getClassLoader(), SelfCheck.class.getClassLoader(),
        Thread.currentThread().getContextClassLoader()}) {
      try {
        Class<?> type = Class.forName(driverClass, false, loader);
        if (type.isInstance(c)) {
          return c;
        }
        return c.isWrapperFor(type) ? (Connection) c.unwrap(type) : null;
      } catch (ClassNotFoundException | LinkageError | SQLException | RuntimeException e) {
        // try the next loader
      }
    }
    return null;
  }

  /** pgjdbc's autosave setting, read through its own interface (reflection: the driver is not a dependency). */
  private static @Nullable String pgAutosave(Connection c) {
    try {
      Class<?> pg = Class.forName("org.postgresql.PGConnection", false, c.getClass().getClassLoader());
      if (!c.isWrapperFor(pg)) {
        return null;
      }
      Object conn = c.unwrap(pg);
      Method m = pg.getMethod("getAutosave");
      Object value = m.invoke(conn);
      return value == null ? null : value.toString();
    } catch (ReflectiveOperationException | SQLException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static void mysql(Connection c, List<TransactionWarning> out) throws SQLException {
    String rollbackOnTimeout = null;
    String deadlockDetect = null;
    long lockWait = -1;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW VARIABLES WHERE Variable_name IN "
        + "('innodb_rollback_on_timeout', 'innodb_lock_wait_timeout', 'innodb_deadlock_detect')")) {
      while (rs.next()) {
        String name = rs.getString(1).toLowerCase(Locale.ROOT);
        String value = rs.getString(2);
        if (name.equals("innodb_rollback_on_timeout")) {
          rollbackOnTimeout = value;
        } else if (name.equals("innodb_deadlock_detect")) {
          deadlockDetect = value;
        } else {
          lockWait = Long.parseLong(value.trim());
        }
      }
    }
    if ("ON".equalsIgnoreCase(rollbackOnTimeout) || "1".equals(rollbackOnTimeout)) {
      out.add(warning("innodb_rollback_on_timeout is ON: a lock wait timeout (error 1205) rolls back the whole "
          + "transaction instead of the one statement, but the server still reports it as a statement failure. "
          + "txkit classifies 1205 as statement-scoped, so code that catches it and carries on would silently run "
          + "the rest in a new transaction. Turn innodb_rollback_on_timeout off (the default) in the server's "
          + "configuration"));
    }
    if ("OFF".equalsIgnoreCase(deadlockDetect) || "0".equals(deadlockDetect)) {
      out.add(warning("innodb_deadlock_detect is OFF: deadlocks are not detected, they end only when "
          + "innodb_lock_wait_timeout (" + lockWait + " s) expires, as lock wait timeouts (1205), which txkit does "
          + "not retry by default. Turn deadlock detection on, or add FailureKind.LOCK_TIMEOUT to the retry "
          + "policy's retryOn and lower innodb_lock_wait_timeout"));
    }
    if (lockWait > LONG_LOCK_WAIT_SECONDS) {
      out.add(warning("innodb_lock_wait_timeout is " + lockWait + " s: a transaction blocked by another waits that "
          + "long, holding its connection, before it fails. Lower it (the default is 50 s; set it per session with "
          + "the driver's sessionVariables), or give the transactions a timeout (TxOptions.timeout)"));
    }
  }

  private static void h2(Connection c, List<TransactionWarning> out) throws SQLException {
    try (Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT LOCK_TIMEOUT()")) {
        if (rs.next()) {
          long ms = rs.getLong(1);
          if (ms < H2_SHORT_LOCK_TIMEOUT_MILLIS) {
            out.add(warning("H2's LOCK_TIMEOUT is " + ms + " ms: a write that meets a row another transaction "
                + "locked fails almost at once with a lock timeout (HYT00), which txkit does not retry by default. "
                + "Raise it (LOCK_TIMEOUT=2000 in the URL is H2's default), or add FailureKind.LOCK_TIMEOUT to "
                + "the retry policy's retryOn"));
          }
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
          + "WHERE SETTING_NAME IN ('LOCK_MODE', 'MV_STORE')")) {
        while (rs.next()) {
          String name = rs.getString(1);
          String value = rs.getString(2);
          if (name.equals("LOCK_MODE") && "0".equals(value)) {
            out.add(warning("H2 runs with LOCK_MODE=0: locking is off and transactions read each other's "
                + "uncommitted writes. Remove LOCK_MODE from the URL"));
          } else if (name.equals("MV_STORE") && "false".equalsIgnoreCase(value)) {
            out.add(warning("H2 runs on the PageStore (MV_STORE=FALSE): it locks whole tables, so concurrent "
                + "transactions serialize or deadlock on any two tables. Use the MVStore (H2's default)"));
          }
        }
      }
    }
  }

  /**
   * Checks an isolation level the first time a {@code Transactions} sets it: what the database reports after
   * setting it, and what the database is known to do with it silently.
   *
   * @param c the connection, with the level just set
   * @param db the database
   * @param asked the level set
   * @return the warning, or null when the level is what it says
   * @throws SQLException if reading the level fails
   */
  static @Nullable TransactionWarning isolation(Connection c, Database db, Isolation asked) throws SQLException {
    int effective = c.getTransactionIsolation();
    if (effective != asked.jdbcLevel()) {
      return warning("Isolation " + asked + " was asked for but " + db + " reports "
          + Isolation.ofJdbcLevel(effective) + " after setting it: it runs the level it can. Ask for "
          + Isolation.ofJdbcLevel(effective) + " to say what you get, or use a database that supports " + asked);
    }
    if (asked == Isolation.READ_UNCOMMITTED && (db == Database.POSTGRESQL || db == Database.YUGABYTEDB)) {
      return warning("PostgreSQL accepts READ UNCOMMITTED but runs it as READ COMMITTED (it never shows "
          + "uncommitted rows). Ask for READ_COMMITTED to say what you get");
    }
    if (asked == Isolation.SERIALIZABLE && db == Database.H2) {
      return warning("H2's SERIALIZABLE does not prevent write skew (two transactions that each read what the other "
          + "writes can both commit): it is snapshot isolation with locks. Test serializable logic on PostgreSQL");
    }
    return null;
  }
}
