package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.CommitMarkers;
import dev.txkit.jdbc.Database;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code Transactions}' commit-marker table ({@link CommitMarkers}): the SQL, writing a transaction's marker
 * before its COMMIT, deleting old markers now and then, and creating the table on first use when asked. The
 * resolution after a lost COMMIT is {@link MarkerResolver}'s. Thread-safe.
 */
final class MarkerTable {

  /** How many old markers one cleanup deletes at most: one short statement, one small Galera write set. */
  static final int CLEANUP_BATCH = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(MarkerTable.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Where the transaction runs, in the terms of a later connection to the same server. */
  static final String SERVER = "CONCAT(@@hostname, ':', @@port)";

  final CommitMarkers settings;
  private final String insert;
  private final String insertReturning;
  private final String fenceColumns;
  private final String fenceValues;
  private final String lookup;
  private final String cleanup;
  private final AtomicLong written = new AtomicLong();
  /** Set when a cleanup deleted a full batch: the next commit cleans up again. */
  private final AtomicBoolean backlog = new AtomicBoolean();
  private volatile boolean prepared;

  /** A transaction's marker, written just before its COMMIT: what the resolver needs if the COMMIT's reply is lost. */
  static final class Marker {
    final byte[] key;
    /** The session's {@code CONNECTION_ID()}, or 0 when the database cannot return it with the insert (MySQL). */
    final long session;
    /** The server's {@code @@hostname:@@port}, or null when unknown. */
    final @Nullable String server;
    /** When the marker was written ({@link System#nanoTime()}). */
    final long writtenNanos;
    /** Whether this transaction's commit should delete old markers afterwards. */
    final boolean cleanupDue;

    Marker(byte[] key, long session, @Nullable String server, long writtenNanos, boolean cleanupDue) {
      this.key = key;
      this.session = session;
      this.server = server;
      this.writtenNanos = writtenNanos;
      this.cleanupDue = cleanupDue;
    }

    /** @return the key in hex, for log lines (and a look at the table by hand) */
    String hex() {
      return MarkerTable.hex(key);
    }
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  MarkerTable(CommitMarkers settings) {
    this.settings = settings;
    String t = settings.table();
    String columns = "INSERT INTO " + t + " (id, session, server, created";
    String values = ") VALUES (?, CONNECTION_ID(), " + SERVER + ", UNIX_TIMESTAMP()";
    this.insert = columns + values + ")";
    this.insertReturning = insert + " RETURNING session, server";
    this.fenceColumns = columns + ", fenced) VALUES (X'";
    this.fenceValues = "', CONNECTION_ID(), " + SERVER + ", UNIX_TIMESTAMP(), TRUE)";
    this.lookup = "SELECT fenced FROM " + t + " WHERE id = X'";
    this.cleanup = "DELETE FROM " + t + " WHERE created < UNIX_TIMESTAMP() - " + settings.retention().getSeconds()
        + " ORDER BY created LIMIT " + CLEANUP_BATCH;
  }

  /**
   * Before the first transaction (on its connection, autocommit still on): checks that the database is one the
   * markers work on, and creates the table if asked. Once per {@code Transactions}, until it succeeds.
   *
   * @param c the connection
   * @param dialect its dialect
   * @throws SQLException if creating the table fails
   * @throws IllegalStateException if the database is not MariaDB or MySQL
   */
  void prepare(Connection c, Dialect dialect) throws SQLException {
    if (prepared) {
      return;
    }
    Database db = dialect.database;
    if (db != Database.MARIADB && db != Database.MYSQL) {
      throw new IllegalStateException("Commit markers (Transactions.builder(ds).commitMarkers(...)) work on MariaDB, "
          + "MySQL and Galera, not on " + db + (db == Database.POSTGRESQL ? "; on PostgreSQL use "
          + "resolveCommitOutcome(true), which asks pg_xact_status" : "") + ". Remove commitMarkers(...) for this "
          + "data source");
    }
    if (settings.createTable()) {
      try (Statement st = c.createStatement()) {
        st.execute(settings.createTableSql());
      }
      LOG.debug("created the commit-marker table {} if it was missing", settings.table());
    }
    prepared = true;
  }

  /** @return a new key: 6 bytes of milliseconds (inserts go to the end of the index), 10 random bytes */
  static byte[] newKey() {
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    long millis = System.currentTimeMillis();
    for (int i = 0; i < 6; i++) {
      key[i] = (byte) (millis >>> (8 * (5 - i)));
    }
    return key;
  }

  /**
   * Writes the transaction's marker, its last statement before COMMIT: one round trip.
   *
   * @param c the transaction's connection
   * @param db the database (MariaDB returns the session with the insert; MySQL cannot)
   * @return the marker
   * @throws SQLException if the insert failed (a missing table or column with a message that says what to do)
   */
  Marker write(Connection c, Database db) throws SQLException {
    byte[] key = newKey();
    long session = 0;
    String server = null;
    try {
      if (db == Database.MARIADB) {
        try (PreparedStatement ps = c.prepareStatement(insertReturning)) {
          ps.setBytes(1, key);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              session = rs.getLong(1);
              server = rs.getString(2);
            }
          }
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(insert)) {
          ps.setBytes(1, key);
          ps.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw explained(e);
    }
    long n = written.getAndIncrement();
    boolean cleanupDue = n % settings.cleanupEvery() == 0 || backlog.compareAndSet(true, false);
    return new Marker(key, session, server, System.nanoTime(), cleanupDue);
  }

  /** A missing table or column gets a message that says what to do; everything else is left as the driver said. */
  private SQLException explained(SQLException e) {
    int code = e.getErrorCode();
    if (code != 1146 && code != 1054) {
      return e;
    }
    String what = code == 1146 ? "does not exist" : "does not have the columns txkit writes";
    return new SQLException("The commit-marker table " + settings.table() + " " + what + " (" + e.getMessage()
        + "). Create it with the DDL of CommitMarkers.createTableSql(\"" + settings.table() + "\") (shown in the "
        + "README), or let txkit create it: CommitMarkers.builder(\"" + settings.table() + "\").createTable(true)",
        e.getSQLState(), code, e);
  }

  /**
   * Looks a marker up. The key is a hex literal, not a parameter: the prefix ({@code SET STATEMENT ... FOR}) is not
   * one every server prepares.
   *
   * @param c a connection
   * @param key the marker's key
   * @param prefix what goes before the SELECT: "" or {@code SET STATEMENT var = value FOR }
   * @return null if absent, else whether it is a fencing row (the resolver's: the transaction did not commit)
   * @throws SQLException if the lookup fails
   */
  @Nullable Boolean lookup(Connection c, byte[] key, String prefix) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(prefix + lookup + hex(key) + "'")) {
      return rs.next() ? rs.getBoolean(1) : null;
    }
  }

  /**
   * Inserts the fencing row of a lost transaction's key, with autocommit: once it committed, the lost transaction
   * (whose marker has the same primary key) can never commit.
   *
   * @param c a connection with autocommit on
   * @param key the lost transaction's marker key
   * @param prefix what goes before the INSERT: "" or {@code SET STATEMENT var = value FOR }
   * @throws SQLException if it failed (1062: a row with the key exists; look again)
   */
  void fence(Connection c, byte[] key, String prefix) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate(prefix + fenceColumns + hex(key) + fenceValues);
    }
  }

  /**
   * After a commit whose marker was due for it: deletes up to {@link #CLEANUP_BATCH} markers older than the
   * retention, in a short transaction of its own on the same connection. Never throws.
   *
   * @param c the connection, autocommit off, no transaction open
   * @param name the {@code Transactions}' name, for the log
   * @return false if the connection must be discarded (its rollback failed)
   */
  boolean cleanUp(Connection c, String name) {
    try {
      int deleted;
      try (Statement st = c.createStatement()) {
        deleted = st.executeUpdate(cleanup);
      }
      c.commit();
      if (deleted >= CLEANUP_BATCH) {
        backlog.set(true);
      }
      LOG.debug("[{}] deleted {} commit markers older than {} s", name, deleted, settings.retention().getSeconds());
      return true;
    } catch (SQLException e) {
      // another instance cleaning the same rows (a Galera certification conflict), a lock wait: try again later
      LOG.debug("[{}] deleting old commit markers failed: {}", name, e.toString());
      try {
        c.rollback();
        return true;
      } catch (SQLException rollbackFailed) {
        return false;
      }
    }
  }
}
