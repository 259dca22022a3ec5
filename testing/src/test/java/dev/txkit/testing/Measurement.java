package dev.txkit.testing;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the catalogue's integration tests share: raw JDBC sessions on one real database, a table {@code (id, v)}
 * with rows 1, 2 and 3 (v = 0), and the two checks of a real failure against its catalogue entry: the exception
 * ({@link #observed}) and what the server did next ({@link #assertServerEffect}), independently of the
 * entry's own claims. Every entry observed is remembered, so that a complete run can check that it produced every
 * entry the catalogue marks as measured.
 */
final class Measurement {

  static final int WAIT_SECONDS = 30;

  final TestDb db;
  final String table;
  final Failures catalogue;
  private final Set<String> produced = ConcurrentHashMap.newKeySet();
  private final Set<String> ran = ConcurrentHashMap.newKeySet();

  Measurement(TestDb db, String table) {
    this.db = db;
    this.table = table;
    this.catalogue = Failures.of(db.database());
  }

  /** (Re)creates the table with rows 1, 2 and 3, all v = 0. */
  void rows() {
    db.createTable(table, "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO " + table + " (id, v) VALUES (1, 0), (2, 0), (3, 0)");
  }

  void drop() {
    try {
      db.exec("DROP TABLE IF EXISTS " + table);
    } catch (IllegalStateException | AssertionError unreachable) {
      // nothing was created there
    }
  }

  /** A new raw connection (autocommit on) that has run the setup statements. */
  Connection session(String... setup) throws SQLException {
    return prepared(db.connect(), setup);
  }

  static Connection prepared(Connection c, String... setup) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : setup) {
        st.execute(s);
      }
    }
    return c;
  }

  int update(Connection c, int id, int v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET v = ? WHERE id = ?")) {
      ps.setInt(1, v);
      ps.setInt(2, id);
      return ps.executeUpdate();
    }
  }

  int value(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT v FROM " + table + " WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "row " + id);
        return rs.getInt(1);
      }
    }
  }

  /** The committed value of a row, read on a new connection. */
  int committed(int id) throws SQLException {
    try (Connection c = db.connect()) {
      return value(c, id);
    }
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** A session setting that makes lock waits give up after 5 s instead of the server's default. */
  String lockWaitOfFiveSeconds() {
    switch (db.database()) {
      case POSTGRESQL:
        return "SET lock_timeout = '5s'";
      case MARIADB:
        return "SET SESSION innodb_lock_wait_timeout = 5";
      default:
        return "SET LOCK_TIMEOUT 5000";
    }
  }

  // ---------------------------------------------------------------------------------------- the two checks

  /**
   * Checks a real failure against the catalogue entry it must be: the driver's exception class, SQLState,
   * vendor code and message fragment; that the catalogue's lookup finds an entry with the same kind and server
   * effect; and that txkit classifies it with the kind and scope the test expects, which must also be the
   * entry's. Prints an {@code OBSERVED} line.
   *
   * @return the entry
   */
  Failure observed(String scenario, Failure entry, SQLException e, FailureKind kind, FailureScope scope) {
    System.out.println("OBSERVED " + db + " " + scenario + ": " + e.getClass().getName() + " SQLState="
        + e.getSQLState() + " vendorCode=" + e.getErrorCode() + " message=" + e.getMessage().replace('\n', ' '));
    assertEquals(entry.driverClass(), e.getClass().getName(), scenario + ": exception class");
    assertEquals(entry.sqlState(), e.getSQLState(), scenario + ": SQLState");
    assertEquals(entry.vendorCode(), e.getErrorCode(), scenario + ": vendor code");
    assertTrue(entry.matches(e), scenario + ": message '" + e.getMessage() + "' lacks '" + entry.messageContains()
        + "'");
    Failure found = catalogue.identify(e).orElseThrow(() -> new AssertionError(scenario + ": not identified"));
    assertEquals(entry.serverEffect(), found.serverEffect(), scenario + ": identified as " + found);
    assertEquals(entry.kind(), found.kind(), scenario + ": identified as " + found);
    assertEquals(new Classification(kind, scope), new Classification(entry.kind(), entry.scope()),
        scenario + ": the catalogue's " + entry);
    assertEquals(new Classification(kind, scope), db.database().classifier().classify(e),
        scenario + ": txkit's classification");
    produced.add(entry.name());
    return entry;
  }

  /**
   * Checks what PostgreSQL answers a statement of an aborted transaction: 25P02, as the catalogue's
   * {@code inFailedTransaction} entry, with the failure that aborted the transaction as its cause (pgjdbc
   * attaches it), so that txkit classifies it as that failure.
   */
  void inFailedTransaction(String scenario, SQLException next, SQLException aborting) {
    Failure entry = catalogue.inFailedTransaction();
    System.out.println("OBSERVED " + db + " " + scenario + ": " + next.getClass().getName() + " SQLState="
        + next.getSQLState() + " cause=" + next.getCause());
    assertEquals(entry.driverClass(), next.getClass().getName(), scenario);
    assertTrue(entry.matches(next), scenario + ": " + next);
    assertSame(aborting, next.getCause(), scenario + ": pgjdbc attaches the failure that aborted the transaction");
    assertEquals(db.database().classifier().classify(aborting), db.database().classifier().classify(next),
        scenario + ": txkit's classification");
    produced.add(entry.name());
  }

  /**
   * Checks on the real server that it did what the entry says, right after the {@code failure}: {@code c} is the
   * failed session, inside its transaction, which had set row {@code earlierId} to {@code earlierValue} before
   * the failing statement. Ends the transaction (or finds the connection gone).
   */
  void assertServerEffect(Failure entry, SQLException failure, Connection c, int earlierId, int earlierValue)
      throws SQLException {
    String what = entry + " " + entry.serverEffect();
    switch (entry.serverEffect()) {
      case STATEMENT_ROLLED_BACK:
        assertEquals(earlierValue, value(c, earlierId), what + ": the transaction is open with its earlier work");
        c.commit();
        assertEquals(earlierValue, committed(earlierId), what + ": and that work commits");
        break;
      case TRANSACTION_ABORTED: {
        SQLException next = assertThrows(SQLException.class, () -> value(c, earlierId), what);
        inFailedTransaction("statement after " + entry.name(), next, failure);
        c.commit(); // pgjdbc reports success: the server answered ROLLBACK
        assertNotEquals(earlierValue, committed(earlierId), what + ": COMMIT rolled the earlier work back");
        assertNotEquals(earlierValue, value(c, earlierId), what + ": the connection works after COMMIT");
        break;
      }
      case TRANSACTION_ROLLED_BACK:
        assertNotEquals(earlierValue, value(c, earlierId),
            what + ": the earlier work is gone, and the connection works (in a new transaction)");
        c.rollback();
        break;
      case CONNECTION_GONE: {
        SQLException next = assertThrows(SQLException.class, () -> value(c, earlierId), what);
        observed("call after " + entry.name(), catalogue.connectionClosed(), next, FailureKind.CONNECTION_LOST,
            FailureScope.TRANSACTION);
        assertFalse(c.isValid(2), what + ": the connection is not valid");
        assertNotEquals(earlierValue, committed(earlierId), what + ": the lost session's work is not committed");
        // the server rolled the transaction back and released its row lock: another session writes the row
        try (Connection other = session(lockWaitOfFiveSeconds())) {
          assertEquals(1, update(other, earlierId, 99), what);
        }
        assertEquals(99, committed(earlierId), what);
        break;
      }
      default:
        throw new AssertionError(what);
    }
  }

  // ------------------------------------------------------------------------------------ two real sessions

  interface Session {
    /** Runs one session's transaction; returns its failure, or null if it committed. */
    SQLException run(Connection c, CyclicBarrier bothHoldTheirFirstLock) throws Exception;
  }

  /**
   * Two sessions on their own threads, each with its own raw connection, started together.
   *
   * @return their failures (null for a session that committed)
   */
  List<SQLException> concurrently(String[] setup, Session first, Session second) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    CyclicBarrier barrier = new CyclicBarrier(2);
    try {
      List<Future<SQLException>> futures = new ArrayList<>();
      for (Session s : List.of(first, second)) {
        futures.add(threads.submit(() -> {
          try (Connection c = session(setup)) {
            return s.run(c, barrier);
          }
        }));
      }
      List<SQLException> out = new ArrayList<>();
      for (Future<SQLException> f : futures) {
        out.add(f.get(WAIT_SECONDS, SECONDS));
      }
      return out;
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * Session {@code me} updates row {@code firstId} then, once both sessions hold their first lock, row
   * {@code secondId}, setting both to {@code me}. The deadlock victim checks what the server did to its
   * transaction against the entry.
   */
  Session opposite(Failure entry, int me, int firstId, int secondId) {
    return (c, barrier) -> {
      c.setAutoCommit(false);
      update(c, firstId, me);
      barrier.await(WAIT_SECONDS, SECONDS);
      try {
        update(c, secondId, me);
        c.commit();
        return null;
      } catch (SQLException e) {
        assertServerEffect(entry, e, c, firstId, me);
        return e;
      }
    };
  }

  /** A real deadlock between two sessions: exactly one victim, the winner's update on both rows. */
  SQLException deadlock(Failure entry, String... setup) throws Exception {
    rows();
    List<SQLException> failures = concurrently(setup, opposite(entry, 1, 1, 2), opposite(entry, 2, 2, 1));
    long failed = failures.stream().filter(f -> f != null).count();
    assertEquals(1, failed, "exactly one deadlock victim: " + failures);
    int winner = failures.get(0) == null ? 1 : 2;
    assertEquals(winner, committed(1));
    assertEquals(winner, committed(2));
    return failures.get(0) != null ? failures.get(0) : failures.get(1);
  }

  // --------------------------------------------------------------------------------------------- coverage

  /** Remembers a finished test method. */
  void ran(String method) {
    ran.add(method);
  }

  /**
   * After every test method of the class ran, checks that every entry of the catalogue marked as measured was
   * observed; does nothing after a partial run (a single test chosen on the command line).
   */
  void assertEveryMeasuredEntryWasProduced(Class<?> testClass) {
    Set<String> methods = new TreeSet<>();
    for (Method m : testClass.getDeclaredMethods()) {
      if (m.isAnnotationPresent(Test.class)) {
        methods.add(m.getName());
      }
    }
    if (!ran.containsAll(methods)) {
      return;
    }
    Set<String> missing = new TreeSet<>();
    for (Failure f : catalogue.all()) {
      if (f.measured() && !produced.contains(f.name())) {
        missing.add(f.name());
      }
    }
    assertEquals(Set.of(), missing, db + " entries marked measured that no test produced");
  }

  /** The URL of a server database with host and port replaced by the proxy's. */
  static String through(TcpProxy proxy, String url) {
    Matcher m = Pattern.compile("//([^/:?]+):(\\d+)").matcher(url);
    assertTrue(m.find(), url);
    return url.substring(0, m.start()) + "//127.0.0.1:" + proxy.port() + url.substring(m.end());
  }

  /** The host and port of a server URL. */
  static String[] hostAndPort(String url) {
    Matcher m = Pattern.compile("//([^/:?]+):(\\d+)").matcher(url);
    assertTrue(m.find(), url);
    return new String[] {m.group(1), m.group(2)};
  }

  /** The database product under measurement. */
  Database database() {
    return db.database();
  }
}
