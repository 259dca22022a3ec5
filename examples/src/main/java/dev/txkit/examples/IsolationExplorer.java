package dev.txkit.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Isolation;
import dev.txkit.jdbc.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Makes each anomaly the isolation guides describe happen for real, or fail to, on the database at hand, at each
 * isolation level, and prints which ones that database allows. Nothing is copied from documentation: each cell
 * is one run of the anomaly's interleaving with two sessions.
 *
 * <p>The two sessions (two connections, same isolation) are driven one step at a time from one thread, so the
 * interleaving is exact and needs no sleeps or thread coordination. A step that would wait for a lock the other
 * session holds fails after a short session-level lock timeout instead, which is what the database does to
 * prevent the anomaly: it makes one session wait for the other. Verdicts:
 * <ul>
 *   <li>{@link Verdict#ALLOWED}: the anomaly happened;</li>
 *   <li>{@link Verdict#PREVENTED}: both sessions went on and the anomaly did not happen (snapshots, versions);</li>
 *   <li>{@link Verdict#WAITS}: a session had to wait for the other's lock;</li>
 *   <li>{@link Verdict#ABORTS}: the database refused a session with a serialization failure or deadlock (retry
 *       it: txkit does).</li>
 * </ul>
 * Run it: {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.txkit.examples.IsolationExplorer
 * -Dexec.args="jdbc:postgresql://127.0.0.1:5432/test?user=postgres"} (embedded H2 without an argument).
 *
 * <p>Longer than the other examples on purpose: the five interleavings are the point of the class and read best
 * side by side, in one method.
 *
 * <p>One exploration at a time; not thread-safe.
 */
public final class IsolationExplorer {

  /** The anomalies, each with the interleaving that shows it. */
  public enum Anomaly {
    /** B reads a change A has not committed (A then rolls back). */
    DIRTY_READ("dirty read"),
    /** B reads a row twice and sees A's committed change the second time. */
    NON_REPEATABLE_READ("non-repeatable read"),
    /** B counts rows twice and sees a row A inserted and committed in between. */
    PHANTOM("phantom"),
    /** A and B read the same counter, both write read + 1 and commit: one increment is lost. */
    LOST_UPDATE("lost update"),
    /** Two on call, each session sees two and takes a different one off: nobody is left on call. */
    WRITE_SKEW("write skew");

    private final String label;

    Anomaly(String label) {
      this.label = label;
    }

    /** @return the anomaly's name in the guides */
    public String label() {
      return label;
    }
  }

  /** What the database did with an anomaly's interleaving. */
  public enum Verdict {
    /** The anomaly happened. */
    ALLOWED,
    /** It did not happen, and neither session waited or failed. */
    PREVENTED,
    /** It did not happen because a session had to wait for the other's lock. */
    WAITS,
    /** It did not happen because the database failed a session (serialization failure or deadlock). */
    ABORTS
  }

  /** The isolation levels explored, weakest first. */
  public static final List<Isolation> LEVELS = List.of(Isolation.READ_UNCOMMITTED, Isolation.READ_COMMITTED,
      Isolation.REPEATABLE_READ, Isolation.SERIALIZABLE);

  private final DataSource dataSource;
  private final String table;
  private final Database database;

  /**
   * An explorer that works in table {@code table}, which it drops and creates.
   *
   * @param dataSource the database; two connections at a time
   * @param table a table name of the caller's
   * @throws IllegalStateException if the database cannot be reached
   */
  public IsolationExplorer(DataSource dataSource, String table) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.table = Objects.requireNonNull(table, "table");
    try (Connection c = dataSource.getConnection()) {
      this.database = Database.detect(c);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not reach the database: " + e.getMessage(), e);
    }
  }

  /** @return the database explored */
  public Database database() {
    return database;
  }

  /**
   * Runs every anomaly at every level.
   *
   * @return verdicts by anomaly, then level
   * @throws SQLException if a step fails in a way that is not a lock wait, a serialization failure or a deadlock
   */
  public Map<Anomaly, Map<Isolation, Verdict>> exploreAll() throws SQLException {
    Map<Anomaly, Map<Isolation, Verdict>> all = new EnumMap<>(Anomaly.class);
    for (Anomaly a : Anomaly.values()) {
      Map<Isolation, Verdict> row = new EnumMap<>(Isolation.class);
      for (Isolation level : LEVELS) {
        row.put(level, explore(a, level));
      }
      all.put(a, row);
    }
    return all;
  }

  /**
   * Runs one anomaly's interleaving at one level.
   *
   * @param anomaly which
   * @param level both sessions' isolation
   * @return what the database did
   * @throws SQLException if a step fails in a way that is not a lock wait, a serialization failure or a deadlock
   */
  public Verdict explore(Anomaly anomaly, Isolation level) throws SQLException {
    try (Connection setup = dataSource.getConnection()) {
      exec(setup, "DROP TABLE IF EXISTS " + table);
      exec(setup, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v INT NOT NULL)" + Schema.tableOptions(database));
      exec(setup, anomaly == Anomaly.PHANTOM || anomaly == Anomaly.WRITE_SKEW
          ? "INSERT INTO " + table + " (id, v) VALUES (1, 1), (2, 1)"
          : "INSERT INTO " + table + " (id, v) VALUES (1, 10)");
    }
    try (Connection a = session(level); Connection b = session(level)) {
      try {
        return run(anomaly, a, b);
      } catch (SQLException e) {
        Verdict v = verdict(e);
        if (v == null) {
          throw e;
        }
        return v;
      } finally {
        quietRollback(a);
        quietRollback(b);
      }
    } finally {
      try (Connection c = dataSource.getConnection()) {
        exec(c, "DROP TABLE IF EXISTS " + table);
      }
    }
  }

  private Verdict run(Anomaly anomaly, Connection a, Connection b) throws SQLException {
    String t = table;
    switch (anomaly) {
      case DIRTY_READ -> {
        update(a, "UPDATE " + t + " SET v = 20 WHERE id = 1");
        long seen = read(b, "SELECT v FROM " + t + " WHERE id = 1");
        a.rollback();
        return seen == 20 ? Verdict.ALLOWED : Verdict.PREVENTED;
      }
      case NON_REPEATABLE_READ -> {
        long first = read(b, "SELECT v FROM " + t + " WHERE id = 1");
        update(a, "UPDATE " + t + " SET v = 20 WHERE id = 1");
        a.commit();
        long second = read(b, "SELECT v FROM " + t + " WHERE id = 1");
        b.commit();
        return first != second ? Verdict.ALLOWED : Verdict.PREVENTED;
      }
      case PHANTOM -> {
        long first = read(b, "SELECT COUNT(*) FROM " + t + " WHERE v >= 1");
        update(a, "INSERT INTO " + t + " (id, v) VALUES (3, 1)");
        a.commit();
        long second = read(b, "SELECT COUNT(*) FROM " + t + " WHERE v >= 1");
        b.commit();
        return first != second ? Verdict.ALLOWED : Verdict.PREVENTED;
      }
      case LOST_UPDATE -> {
        long readByA = read(a, "SELECT v FROM " + t + " WHERE id = 1");
        long readByB = read(b, "SELECT v FROM " + t + " WHERE id = 1");
        update(a, "UPDATE " + t + " SET v = " + (readByA + 1) + " WHERE id = 1");
        a.commit();
        update(b, "UPDATE " + t + " SET v = " + (readByB + 1) + " WHERE id = 1");
        b.commit();
        return committedValue("SELECT v FROM " + t + " WHERE id = 1") == 11 ? Verdict.ALLOWED : Verdict.PREVENTED;
      }
      case WRITE_SKEW -> {
        long seenByA = read(a, "SELECT COUNT(*) FROM " + t + " WHERE v = 1");
        long seenByB = read(b, "SELECT COUNT(*) FROM " + t + " WHERE v = 1");
        if (seenByA >= 2) {
          update(a, "UPDATE " + t + " SET v = 0 WHERE id = 1");
        }
        if (seenByB >= 2) {
          update(b, "UPDATE " + t + " SET v = 0 WHERE id = 2");
        }
        a.commit();
        b.commit();
        return committedValue("SELECT COUNT(*) FROM " + t + " WHERE v = 1") == 0 ? Verdict.ALLOWED
            : Verdict.PREVENTED;
      }
      default -> throw new IllegalArgumentException("unknown anomaly " + anomaly);
    }
  }

  /** A session at {@code level}, autocommit off, with a short lock timeout of its own. */
  private Connection session(Isolation level) throws SQLException {
    Connection c = dataSource.getConnection();
    try {
      // set before autocommit is turned off: H2 commits on an isolation change inside a transaction
      c.setTransactionIsolation(level.jdbcLevel());
      if (database.isPostgresFamily()) {
        exec(c, "SET lock_timeout = '200ms'");
      } else if (database.isMysqlFamily()) {
        exec(c, "SET SESSION innodb_lock_wait_timeout = 0"); // 0: fail at once (MariaDB 10.3+)
      } else if (database == Database.H2) {
        exec(c, "SET LOCK_TIMEOUT 200");
      }
      c.setAutoCommit(false);
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The verdict a failed step means, or null for a failure that is not about isolation. */
  private Verdict verdict(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        String state = String.valueOf(s.getSQLState());
        int code = s.getErrorCode();
        if ("55P03".equals(state) || code == 1205 || "HYT00".equals(state) || code == 50200) {
          return Verdict.WAITS;
        }
        if ("40001".equals(state) || "40P01".equals(state) || code == 1213 || code == 90131) {
          return Verdict.ABORTS;
        }
      }
    }
    return null;
  }

  private long committedValue(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      return read(c, sql);
    }
  }

  private static long read(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void update(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate(sql);
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static void quietRollback(Connection c) {
    try {
      if (!c.isClosed() && !c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException ignored) {
      // the session is closed right after; its transaction dies with it
    }
  }

  /**
   * Formats the verdicts as a table, one row per anomaly, one column per level.
   *
   * @param database the database explored
   * @param verdicts from {@link #exploreAll()}
   * @return the table
   */
  public static String table(Database database, Map<Anomaly, Map<Isolation, Verdict>> verdicts) {
    StringBuilder sb = new StringBuilder();
    sb.append("Anomalies ").append(database).append(" allows, measured now with two sessions:\n\n");
    sb.append(String.format(Locale.ROOT, "%-22s", ""));
    for (Isolation level : LEVELS) {
      sb.append(String.format(Locale.ROOT, "%18s", level.name().replace('_', ' ')));
    }
    sb.append('\n');
    List<String> lines = new ArrayList<>();
    for (Map.Entry<Anomaly, Map<Isolation, Verdict>> row : verdicts.entrySet()) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-22s", row.getKey().label()));
      for (Isolation level : LEVELS) {
        Verdict v = row.getValue().get(level);
        line.append(String.format(Locale.ROOT, "%18s", v == null ? "?" : v == Verdict.ALLOWED ? "ALLOWED"
            : v.name().toLowerCase(Locale.ROOT)));
      }
      lines.add(line.toString());
    }
    sb.append(String.join("\n", lines)).append("\n\n");
    sb.append("ALLOWED: the anomaly happened. prevented: it did not. waits: a session had to wait for the other's "
        + "lock.\naborts: the database failed a session with a serialization failure or deadlock (txkit retries "
        + "those).\n");
    return sb.toString();
  }

  /**
   * Explores embedded H2, or the database of {@code args[0]}.
   *
   * @param args optional JDBC URL
   * @throws SQLException if a step fails in a way that is not about isolation
   */
  public static void main(String[] args) throws SQLException {
    String url = args.length > 0 ? args[0] : "jdbc:h2:mem:isolation;DB_CLOSE_DELAY=-1";
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(3);
    config.setPoolName("isolation-explorer");
    try (HikariDataSource pool = new HikariDataSource(config)) {
      IsolationExplorer explorer = new IsolationExplorer(pool, "txkit_isolation_explorer");
      System.out.print(table(explorer.database(), explorer.exploreAll()));
    }
  }
}
