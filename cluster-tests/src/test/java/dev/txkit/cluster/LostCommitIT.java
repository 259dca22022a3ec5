package dev.txkit.cluster;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * A node dies (or loses quorum) while it executes a transaction's COMMIT: the situation the commit-marker
 * resolver of issue 13 is for. Each test makes it happen at one exact point, checks that txkit reports
 * {@link CommitOutcomeUnknownException} (one attempt, no blind retry), finds out on the surviving nodes what
 * really happened (the transfer applied at most once), and checks that a marker lookup
 * ({@link CommitMarkers#resolve}) would have given the right answer.
 *
 * <p>How the point is reached: {@link CommitProxy} stops the COMMIT before the node gets it, or after the node
 * answered it, while the test kills the node with kill -9; or the node's two peers are paused (SIGSTOP) so that
 * its COMMIT waits for the group, and the node is killed or loses quorum while it waits.
 */
class LostCommitIT {

  private static final String ACCOUNTS = "cl_lost_accounts";
  private static final CommitMarkers MARKERS = new CommitMarkers("cl_lost_markers");

  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @BeforeEach
  void tables() {
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + ACCOUNTS,
        "CREATE TABLE " + ACCOUNTS + " (id INT PRIMARY KEY, balance INT NOT NULL)",
        "INSERT INTO " + ACCOUNTS + " VALUES (1, 100), (2, 100)");
    MARKERS.create(1);
    GaleraCluster.awaitOnAllNodes(ACCOUNTS, "cl_lost_markers");
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @AfterAll
  static void drop() {
    if (!GaleraCluster.found()) {
      return;
    }
    GaleraCluster.awaitAllSynced();
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + ACCOUNTS);
    MARKERS.drop(1);
  }

  /** The transfer under test and what it left behind for the resolver. */
  private static final class Transfer {
    final String marker = CommitMarkers.newKey();
    final AtomicLong session = new AtomicLong(-1);
    final Counters counters = new Counters();
  }

  private static Transactions txkit(HikariDataSource pool, Transfer t) {
    return Transactions.builder(pool).listener(t.counters).build();
  }

  /** Moves 10 from account 1 to 2 and writes the commit marker, on whatever node the pool connects to. */
  private static void transfer(Transactions txs, Transfer t) {
    txs.useTransaction(tx -> {
      t.session.set(tx.queryOne("SELECT CONNECTION_ID()", Long.class));
      tx.updateOne("UPDATE " + ACCOUNTS + " SET balance = balance - 10 WHERE id = 1");
      tx.updateOne("UPDATE " + ACCOUNTS + " SET balance = balance + 10 WHERE id = 2");
      MARKERS.write(tx, t.marker);
    });
  }

  private static HikariDataSource pool(String url) throws SQLException {
    return GaleraCluster.pool(new MariaDbDataSource(url), 1, "cl-lost");
  }

  private static CommitOutcomeUnknownException expectUnknown(Future<?> call) throws InterruptedException {
    try {
      call.get(60, SECONDS);
      return fail("the transfer returned normally, but its COMMIT was lost");
    } catch (ExecutionException e) {
      System.out.println("OBSERVED Galera lost COMMIT, caller sees: " + e.getCause() + (e.getCause().getCause() == null
          ? "" : "\n  caused by " + e.getCause().getCause()));
      return assertInstanceOf(CommitOutcomeUnknownException.class, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      return fail("the transfer did not finish within 60 s");
    }
  }

  /** How many times the transfer was applied, as node {@code n} sees it (after catching up). */
  private static int applied(int n) {
    long balance = GaleraCluster.queryLong(n, "SELECT balance FROM " + ACCOUNTS + " WHERE id = 1");
    long other = GaleraCluster.queryLong(n, "SELECT balance FROM " + ACCOUNTS + " WHERE id = 2");
    assertEquals(200, balance + other, "total conserved on node " + n);
    assertTrue(balance == 100 || balance == 90, "applied at most once on node " + n + ": balance " + balance);
    return balance == 90 ? 1 : 0;
  }

  private static boolean markerPresent(int n, String key) {
    return GaleraCluster.queryLong(n, "SELECT COUNT(*) FROM cl_lost_markers WHERE marker = ?", key) == 1;
  }

  /** Waits until node {@code n} sees a cluster of {@code size}: the dead node has been evicted. */
  private static void awaitClusterSize(int n, int size) throws InterruptedException, SQLException {
    long deadline = System.nanoTime() + SECONDS.toNanos(30);
    try (Connection c = GaleraCluster.connect(n); PreparedStatement ps = c.prepareStatement(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_SIZE'")) {
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) == size) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          fail("node " + n + " does not see a cluster of " + size + " after 30 s");
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * The proxy scenarios: node 2 executes (or never sees) the COMMIT, dies, the client's socket closes.
   *
   * @param stop where the proxy stops the COMMIT
   * @param multiHost whether the client's URL lists node 1 after the proxy (the driver then reconnects)
   * @param expectedApplied 1 if the node executed the COMMIT
   * @param expectedSqlState what the driver reports
   */
  private void killDuringCommit(CommitProxy.Stop stop, boolean multiHost, int expectedApplied,
      String expectedSqlState) throws Exception {
    Transfer t = new Transfer();
    try (CommitProxy proxy = new CommitProxy(GaleraCluster.host(2), stop);
        HikariDataSource pool = pool(multiHost
            ? "jdbc:mariadb:sequential://" + proxy.hostPort() + "," + GaleraCluster.host(1)
                + "/txkit?user=root&deniedListTimeout=1000"
            : "jdbc:mariadb://" + proxy.hostPort() + "/txkit?user=root");
        Transactions txs = txkit(pool, t)) {
      Future<?> call = executor.submit(() -> transfer(txs, t));
      assertTrue(proxy.awaitStopped(30), "the COMMIT reached the proxy");
      GaleraCluster.kill(2);
      proxy.release();
      CommitOutcomeUnknownException e = expectUnknown(call);
      SQLException driver = assertInstanceOf(SQLException.class, e.getCause(), "the driver's failure is the cause");
      assertEquals(expectedSqlState, driver.getSQLState(), driver.getMessage());
      assertEquals(1, t.counters.begins.sum(), "one attempt: never retried blindly");
      assertEquals(1, t.counters.unknownOutcomes.sum());

      awaitClusterSize(1, 2);
      CommitMarkers.Outcome resolved = MARKERS.resolve(t.marker, 2, t.session.get(), 1);
      int onNode1 = applied(1);
      int onNode3 = applied(3);
      System.out.println("OBSERVED Galera node killed, COMMIT stopped " + stop + (multiHost ? " (multi-host URL)"
          : "") + ": applied on the survivors " + onNode1 + "/" + onNode3 + ", marker lookup on node 1: "
          + resolved + "; " + t.counters);
      assertEquals(expectedApplied, onNode1);
      assertEquals(onNode1, onNode3, "the survivors agree");
      assertEquals(onNode1 == 1, markerPresent(1, t.marker), "the marker was committed with the transfer");
      assertEquals(onNode1 == 1 ? CommitMarkers.Outcome.COMMITTED : CommitMarkers.Outcome.NOT_COMMITTED, resolved);
    } finally {
      GaleraCluster.startNode(2);
    }
    assertEquals(expectedApplied, applied(2), "the restarted node agrees");
  }

  @Test
  void theNodeCommitsThenDiesBeforeItsReplyArrives() throws Exception {
    // a plain URL: the driver reports the broken socket
    killDuringCommit(CommitProxy.Stop.BEFORE_REPLY, false, 1, "08000");
  }

  @Test
  void theNodeDiesBeforeTheCommitReachesIt() throws Exception {
    // a multi-host URL: the driver reconnects to node 1 and reports 25S03 "during a COMMIT statement"; the
    // COMMIT may or may not have happened (here it did not; with BEFORE_REPLY it did, measured the same way)
    killDuringCommit(CommitProxy.Stop.BEFORE_NODE, true, 0, "25S03");
  }

  @Test
  void theNodeLosesQuorumWhileItsCommitWaitsForTheOthers() throws Exception {
    Transfer t = new Transfer();
    CommitMarkers.Outcome duringPartition;
    try (HikariDataSource pool = pool(GaleraCluster.nodeUrl(2)); Transactions txs = txkit(pool, t)) {
      // node 2's peers freeze: its COMMIT waits for them until node 2 gives up on the group (about 3 s here)
      GaleraCluster.pause(1);
      GaleraCluster.pause(3);
      try {
        Future<?> call = executor.submit(() -> transfer(txs, t));
        CommitOutcomeUnknownException e = expectUnknown(call);
        SQLException driver = (SQLException) e.getCause();
        assertEquals(1180, driver.getErrorCode(), driver.getMessage());
        assertTrue(driver.getMessage().contains("Not connected to Primary Component"), driver.getMessage());
        assertEquals(1, t.counters.begins.sum());
        // node 2 cannot tell: it is out of the primary component, and nobody else answers
        duringPartition = MARKERS.resolve(t.marker, 2, t.session.get(), 2);
      } finally {
        GaleraCluster.resume(1);
        GaleraCluster.resume(3);
      }
    }
    GaleraCluster.awaitAllSynced();
    int onNode1 = applied(1);
    CommitMarkers.Outcome after = MARKERS.resolve(t.marker, 2, t.session.get(), 1);
    System.out.println("OBSERVED Galera quorum lost during COMMIT (1180): applied " + onNode1 + " (node 2: "
        + applied(2) + ", node 3: " + applied(3) + "); marker lookup during the partition: " + duringPartition
        + ", after it healed: " + after + "; " + t.counters);
    assertEquals(CommitMarkers.Outcome.UNKNOWN, duringPartition);
    assertEquals(onNode1, applied(2));
    assertEquals(onNode1, applied(3));
    assertEquals(onNode1 == 1, markerPresent(1, t.marker));
    assertEquals(onNode1 == 1 ? CommitMarkers.Outcome.COMMITTED : CommitMarkers.Outcome.NOT_COMMITTED, after);
  }

  @Test
  void theNodeIsKilledWhileItsCommitWaitsForTheOthers() throws Exception {
    Transfer t = new Transfer();
    try (HikariDataSource pool = pool(GaleraCluster.nodeUrl(2)); Transactions txs = txkit(pool, t);
        Connection watch = GaleraCluster.connect(2);
        PreparedStatement committing = watch.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'COMMIT'")) {
      GaleraCluster.pause(1);
      GaleraCluster.pause(3);
      try {
        Future<?> call = executor.submit(() -> transfer(txs, t));
        // wait until node 2 executes the COMMIT (it waits for the frozen group), then kill it
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (true) {
          try (ResultSet rs = committing.executeQuery()) {
            rs.next();
            if (rs.getInt(1) > 0) {
              break;
            }
          }
          assertTrue(System.nanoTime() < deadline, "node 2 never showed the COMMIT in its process list");
        }
        GaleraCluster.kill(2);
        expectUnknown(call);
        assertEquals(1, t.counters.begins.sum());
      } finally {
        GaleraCluster.resume(1);
        GaleraCluster.resume(3);
      }
      awaitClusterSize(1, 2);
      CommitMarkers.Outcome resolved = MARKERS.resolve(t.marker, 2, t.session.get(), 1);
      int onNode1 = applied(1);
      System.out.println("OBSERVED Galera node killed while its COMMIT waited for the group: applied " + onNode1
          + " (node 3: " + applied(3) + "), marker lookup on node 1: " + resolved + "; " + t.counters);
      assertEquals(onNode1, applied(3));
      assertEquals(onNode1 == 1, markerPresent(1, t.marker));
      assertEquals(onNode1 == 1 ? CommitMarkers.Outcome.COMMITTED : CommitMarkers.Outcome.NOT_COMMITTED, resolved);
    } finally {
      GaleraCluster.startNode(2);
    }
  }
}
