package dev.txkit.cluster;

import dev.txkit.jdbc.Tx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Scaffolding for the opt-in commit-marker resolver of issue 13 (not in txkit yet: it needs the engine SPI that
 * is being rewritten). A transaction writes a marker row, its idempotency key, as its last statement; after a
 * lost COMMIT, {@link #resolve} looks the key up on a node of the cluster and says whether the transaction
 * committed. The tests in {@code LostCommitIT} check its answer against what really happened; the resolver
 * in txkit can take this logic over and be checked by the same tests.
 *
 * <p>When is "the marker is absent" a proof that the transaction did not commit? Only when its write set can no
 * longer be committed anywhere, and the node asked has applied everything that was:
 * <ol>
 *   <li>the node asked is Synced and in the primary component (else: unknown);</li>
 *   <li>the node the transaction ran on is no longer in that node's view (it died or was evicted: Galera's
 *       virtual synchrony settles its write sets at that view change), or it is in the view but the
 *       transaction's session is gone from it (its COMMIT has finished one way or the other); while that
 *       session is still there, the COMMIT may still be in certification (else: unknown);</li>
 *   <li>the lookup runs with {@code wsrep_sync_wait=1}, so the node has applied every write set ordered before
 *       it.</li>
 * </ol>
 * A node that lost quorum during COMMIT (1180) and was not evicted, because the others could not see it go
 * (they were paused), delivered its write set when they came back: measured in {@code LostCommitIT}.
 */
final class CommitMarkers {

  /** What a lookup concluded. */
  enum Outcome {
    COMMITTED, NOT_COMMITTED, UNKNOWN
  }

  private final String table;

  /**
   * @param table the marker table, created with {@link #create}
   */
  CommitMarkers(String table) {
    this.table = table;
  }

  /** (Re)creates the marker table on node {@code n} (it replicates). */
  void create(int n) {
    GaleraCluster.exec(n, "DROP TABLE IF EXISTS " + table, "CREATE TABLE " + table + " (marker CHAR(36) PRIMARY "
        + "KEY, node VARCHAR(64) NOT NULL, session BIGINT NOT NULL, created TIMESTAMP(6) NOT NULL DEFAULT "
        + "CURRENT_TIMESTAMP(6))");
  }

  /** Drops the marker table. */
  void drop(int n) {
    GaleraCluster.exec(n, "DROP TABLE IF EXISTS " + table);
  }

  /** @return a fresh marker key */
  static String newKey() {
    return UUID.randomUUID().toString();
  }

  /**
   * Writes the marker inside the transaction, with the node and the session it runs on.
   *
   * @param tx the transaction
   * @param key the marker key
   */
  void write(Tx tx, String key) {
    tx.updateOne("INSERT INTO " + table + " (marker, node, session) VALUES (?, @@wsrep_node_name, "
        + "CONNECTION_ID())", key);
  }

  /**
   * After a lost COMMIT: did the transaction with marker {@code key}, which ran on node {@code origin} in
   * session {@code session}, commit? Asks node {@code via}.
   *
   * @param key the marker key
   * @param origin the node the transaction ran on (1, 2 or 3)
   * @param session its {@code CONNECTION_ID()}
   * @param via the node to ask
   * @return the outcome, {@link Outcome#UNKNOWN} when the cluster cannot tell yet
   */
  Outcome resolve(String key, int origin, long session, int via) {
    try (Connection c = DriverManager.getConnection(GaleraCluster.nodeUrl(via, "connectTimeout=2000&socketTimeout"
        + "=10000"))) {
      String state = status(c, "WSREP_LOCAL_STATE_COMMENT");
      String cluster = status(c, "WSREP_CLUSTER_STATUS");
      if (!"Synced".equals(state) || !"Primary".equals(cluster)) {
        return Outcome.UNKNOWN;
      }
      try (Statement st = c.createStatement()) {
        st.execute("SET SESSION wsrep_sync_wait = 1");
      }
      if (present(c, key)) {
        return Outcome.COMMITTED;
      }
      String members = status(c, "WSREP_INCOMING_ADDRESSES");
      boolean originInView = members != null && members.contains(GaleraCluster.host(origin));
      if (originInView && sessionAlive(origin, session)) {
        return Outcome.UNKNOWN;
      }
      // the origin's write set is settled (it left the view, or its session ended): read again after that
      return present(c, key) ? Outcome.COMMITTED : Outcome.NOT_COMMITTED;
    } catch (SQLException e) {
      return Outcome.UNKNOWN;
    }
  }

  private boolean present(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE marker = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) > 0;
      }
    }
  }

  private static boolean sessionAlive(int node, long session) {
    try (Connection c = DriverManager.getConnection(GaleraCluster.nodeUrl(node, "connectTimeout=2000"));
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?")) {
      ps.setLong(1, session);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1) > 0;
      }
    } catch (SQLException unreachable) {
      // in the view but not answering: its session may still be committing
      return true;
    }
  }

  private static String status(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
