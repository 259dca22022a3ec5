package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.Database;
import dev.txkit.spi.CommitResolution;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out whether a transaction whose COMMIT lost its reply committed, by its marker ({@link MarkerTable}), on
 * new connections from the data source, in rounds until the budget is spent:
 * <ol>
 *   <li>look the marker up (on Galera with {@code wsrep_sync_wait=1}: after the node applied everything ordered
 *       before); present means committed, a fencing row means not committed;</li>
 *   <li>if the resolver reached the server that ran the transaction, that server has been up since, and the
 *       transaction's session is still there (the server has not noticed the client is gone, or a late COMMIT
 *       could still arrive), end it with {@code KILL CONNECTION}: its open transaction rolls back, or its COMMIT
 *       in progress completes first;</li>
 *   <li>insert the fencing row with the marker's key. Committed, it proves the lost transaction never commits:
 *       both rows have the same primary key, the server lets only one of them commit (the fencing insert waits
 *       for the lost transaction's row lock while its session lives), and on Galera certification refuses the
 *       second of two write sets with the same key. Refused as a duplicate, the marker is there: look again.</li>
 * </ol>
 * Anything that fails (no connection, a node out of the primary component, a lock wait or a certification
 * conflict) ends the round; the next one starts on a new connection after a short pause. When the budget is
 * spent the outcome stays unknown. See {@code docs/databases.md}, section 7.
 */
final class MarkerResolver {

  private static final Logger LOG = LoggerFactory.getLogger(MarkerResolver.class);
  private static final Executor DIRECT = Runnable::run;
  private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The longest one fencing insert waits for the lost transaction's row lock, in seconds. */
  private static final long MAX_LOCK_WAIT_SECONDS = 5;

  private final JdbcResource resource;
  private final MarkerTable table;
  private final MarkerTable.Marker marker;
  private final String transaction;
  private final Database database;

  MarkerResolver(JdbcResource resource, MarkerTable table, MarkerTable.Marker marker, String transaction,
      Database database) {
    this.resource = resource;
    this.database = database;
    this.table = table;
    this.marker = marker;
    this.transaction = transaction;
  }

  /**
   * Resolves, in rounds, for at most {@code budgetNanos} (at least one round).
   *
   * @param budgetNanos how long to try
   * @return committed, not committed, or unknown
   */
  CommitResolution resolve(long budgetNanos) {
    long start = System.nanoTime();
    long deadline = start + Math.max(0L, budgetNanos);
    long pause = FIRST_PAUSE_NANOS;
    int rounds = 0;
    Exception last = null;
    while (true) {
      rounds++;
      try {
        CommitResolution r = round(deadline);
        if (r != null) {
          LOG.warn("[{}] COMMIT of '{}' lost its reply; its commit marker {} {} ({} round{}, {} ms)", resource.name(),
              transaction, marker.hex(), r == CommitResolution.COMMITTED ? "is there: it committed"
                  : "is fenced: it did not commit and never will", rounds, rounds == 1 ? "" : "s",
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          return r;
        }
      } catch (SQLException | RuntimeException e) {
        last = e;
        LOG.debug("[{}] resolving the lost COMMIT of '{}', round {}: {}", resource.name(), transaction, rounds,
            e.toString());
      }
      long now = System.nanoTime();
      if (now + pause - deadline >= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
    }
    LOG.warn("[{}] COMMIT of '{}' lost its reply, and its commit marker {} could be neither found nor fenced in {} "
        + "ms ({} rounds): the outcome is unknown. Last failure: {}", resource.name(), transaction, marker.hex(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), rounds, last == null ? "none" : last.toString());
    return CommitResolution.UNKNOWN;
  }

  /** One round on a new connection: the outcome, or null to try again. */
  private @Nullable CommitResolution round(long deadline) throws SQLException {
    Connection c = resource.dataSource().getConnection();
    boolean restoreAutoCommit = false;
    int restoreNetworkTimeout = -1;
    try {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
        restoreAutoCommit = true;
      }
      long remaining = Math.max(0L, deadline - System.nanoTime());
      long lockWait = Math.max(1L, Math.min(MAX_LOCK_WAIT_SECONDS, TimeUnit.NANOSECONDS.toSeconds(remaining)));
      try {
        // a statement waiting for a Galera node that died (until it is evicted) must not outlast the budget much
        int before = c.getNetworkTimeout();
        c.setNetworkTimeout(DIRECT, (int) Math.min(Integer.MAX_VALUE,
            Math.max(TimeUnit.NANOSECONDS.toMillis(remaining), lockWait * 1000) + 1000));
        restoreNetworkTimeout = before;
      } catch (SQLFeatureNotSupportedException e) {
        // the driver has no socket timeout: the statements wait as long as the driver does
      }
      // per statement, not per session (MariaDB's SET STATEMENT): the connection goes back to the pool unchanged.
      // MySQL has no SET STATEMENT: its lookups do not wait for Galera-style sync, its fence waits for the lock
      // as long as its server's innodb_lock_wait_timeout or the network timeout above
      boolean mariadb = database == Database.MARIADB;
      String read = mariadb && "ON".equalsIgnoreCase(show(c, "SHOW VARIABLES LIKE 'wsrep_on'"))
          ? "SET STATEMENT wsrep_sync_wait = 1 FOR " : "";
      String write = mariadb ? "SET STATEMENT innodb_lock_wait_timeout = " + lockWait + " FOR " : "";
      CommitResolution found = found(c, read);
      if (found != null) {
        return found;
      }
      endLingeringSession(c);
      try {
        table.fence(c, marker.key, write);
        return CommitResolution.NOT_COMMITTED;
      } catch (SQLException e) {
        if (e.getErrorCode() != 1062) {
          throw e;
        }
        // a row with the key committed since the lookup: the transaction's marker, or an earlier round's fence
        return found(c, read);
      }
    } finally {
      close(c, restoreAutoCommit, restoreNetworkTimeout);
    }
  }

  private @Nullable CommitResolution found(Connection c, String prefix) throws SQLException {
    Boolean fenced = table.lookup(c, marker.key, prefix);
    if (fenced == null) {
      return null;
    }
    return fenced ? CommitResolution.NOT_COMMITTED : CommitResolution.COMMITTED;
  }

  /**
   * Ends the lost transaction's session if this connection reached the server that ran it, that server has been
   * up since (a restarted server reuses session ids, and has no session of before), and the session is there,
   * of the same user. Its open transaction then rolls back and releases the marker's row lock, so that the
   * fencing insert does not wait for the server to notice the client is gone (wait_timeout: 8 hours by default).
   */
  private void endLingeringSession(Connection c) throws SQLException {
    String server = marker.server;
    if (marker.session <= 0 || server == null || !server.equals(query(c, "SELECT " + MarkerTable.SERVER))) {
      return;
    }
    String uptime = show(c, "SHOW GLOBAL STATUS LIKE 'Uptime'");
    long since = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - marker.writtenNanos);
    if (uptime == null || Long.parseLong(uptime.trim()) < since + 2) {
      return;
    }
    boolean alive;
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
        + "WHERE ID = ? AND USER = SUBSTRING_INDEX(USER(), '@', 1)")) {
      ps.setLong(1, marker.session);
      try (ResultSet rs = ps.executeQuery()) {
        alive = rs.next() && rs.getLong(1) > 0;
      }
    }
    if (!alive) {
      return;
    }
    try {
      execute(c, "KILL CONNECTION " + marker.session);
      LOG.debug("[{}] ended session {} of the lost COMMIT of '{}'", resource.name(), marker.session, transaction);
    } catch (SQLException e) {
      // 1094: it ended by itself meanwhile; anything else (no right to): the fencing insert waits for its lock
      LOG.debug("[{}] could not end session {}: {}", resource.name(), marker.session, e.toString());
    }
  }

  /** Puts back what the round changed and returns the connection; one that cannot be restored is discarded. */
  private void close(Connection c, boolean restoreAutoCommit, int restoreNetworkTimeout) {
    try {
      if (restoreNetworkTimeout >= 0) {
        c.setNetworkTimeout(DIRECT, restoreNetworkTimeout);
      }
      if (restoreAutoCommit) {
        c.setAutoCommit(false);
      }
    } catch (SQLException | RuntimeException e) {
      resource.discard(c, e);
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("[{}] closing a resolver connection failed: {}", resource.name(), e.toString());
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static @Nullable String query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** The value column of a {@code SHOW VARIABLES/STATUS LIKE} row, or null. */
  private static @Nullable String show(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(2) : null;
    }
  }
}
