package dev.txkit.cluster;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.CommitMarkers;
import dev.txkit.jdbc.Transactions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * A node dies (or loses quorum) while it executes a transaction's COMMIT, with txkit's commit-marker resolver
 * on ({@link CommitMarkers}). Each test makes it happen at one exact point, finds out on every node what really
 * happened, and checks that txkit reported exactly that: a transaction the node committed before it died
 * succeeds once, without a retry; one whose COMMIT never reached the node is fenced and retried, and applied
 * once; where the cluster's own outcome is still open when the resolver runs (quorum lost during COMMIT, a node
 * killed while its COMMIT waited for frozen peers, released as the resolver starts), txkit's answer must match
 * the data whatever it is, and "unknown" is the only other answer allowed. Without another node to ask, the
 * outcome stays unknown.
 *
 * <p>How the point is reached: {@link CommitProxy} stops the COMMIT before the node gets it, or after the node
 * answered it, while the test kills the node with kill -9; or the node's two peers are paused (SIGSTOP) so that
 * its COMMIT waits for the group, and the node is killed or loses quorum while it waits. The driver's failures
 * are counted below the pool ({@link DriverEvents}), txkit's attempts by a listener ({@link Counters}).
 */
class LostCommitIT {

  private static final String ACCOUNTS = "cl_lost_accounts";
  private static final String MARKERS = "cl_lost_markers";
  private static final TxOptions TRANSFER = TxOptions.builder().name("transfer").build();

  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final Counters counters = new Counters();

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @BeforeEach
  void tables() {
    // every test starts on a cluster of three Synced nodes, whatever an earlier one left behind
    GaleraCluster.awaitAllSynced();
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + ACCOUNTS,
        "CREATE TABLE " + ACCOUNTS + " (id INT PRIMARY KEY, balance INT NOT NULL)",
        "INSERT INTO " + ACCOUNTS + " VALUES (1, 100), (2, 100)",
        "DROP TABLE IF EXISTS " + MARKERS, CommitMarkers.createTableSql(MARKERS));
    GaleraCluster.awaitOnAllNodes(ACCOUNTS, MARKERS);
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
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + ACCOUNTS, "DROP TABLE IF EXISTS " + MARKERS);
  }

  private Transactions txkit(DataSource ds, Duration resolveTimeout) {
    return Transactions.builder(ds).listener(counters).commitMarkers(CommitMarkers.builder(MARKERS)
        .resolveTimeout(resolveTimeout).build()).build();
  }

  /** Moves 10 from account 1 to 2 on whatever node the pool connects to; returns the attempt that committed. */
  private static int transfer(Transactions txs) {
    return txs.inTransaction(TRANSFER, tx -> {
      tx.updateOne("UPDATE " + ACCOUNTS + " SET balance = balance - 10 WHERE id = 1");
      tx.updateOne("UPDATE " + ACCOUNTS + " SET balance = balance + 10 WHERE id = 2");
      return tx.attempt();
    });
  }

  /** The call's outcome as its caller saw it: the attempt that committed, or -1 for an unknown outcome. */
  private static int outcome(Future<Integer> call) throws InterruptedException {
    try {
      return call.get(90, SECONDS);
    } catch (ExecutionException e) {
      System.out.println("OBSERVED Galera lost COMMIT with the marker resolver, caller sees: " + e.getCause());
      assertInstanceOf(CommitOutcomeUnknownException.class, e.getCause(), "the only failure allowed");
      return -1;
    } catch (java.util.concurrent.TimeoutException e) {
      return fail("the transfer did not finish within 90 s");
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

  private static long markers(int n, String where) {
    return GaleraCluster.queryLong(n, "SELECT COUNT(*) FROM " + MARKERS + " WHERE " + where);
  }

  /**
   * What every test checks at the end, on every node: the caller's outcome is what the cluster holds. A call that
   * returned was applied exactly once (attempt 1: the lost COMMIT had committed, no fence; attempt 2: the lost one
   * was fenced, the retry committed); an unknown outcome was applied at most once.
   *
   * @return a description for the OBSERVED line
   */
  private String checkOutcome(int attempt, int... nodes) {
    int applied = applied(nodes[0]);
    for (int n : nodes) {
      assertEquals(applied, applied(n), "node " + n + " agrees with node " + nodes[0]);
    }
    long fenced = markers(nodes[0], "fenced");
    String seen = (attempt < 0 ? "unknown" : "succeeded at attempt " + attempt) + ", applied " + applied
        + ", fenced markers " + fenced + "; " + counters;
    if (attempt > 0) {
      assertEquals(1, applied, "the call succeeded, so the transfer is applied exactly once: " + seen);
      assertEquals(attempt == 1 ? 0 : 1, fenced, "a retry only after the lost attempt was fenced: " + seen);
      assertEquals(attempt, counters.begins.sum(), seen);
      assertEquals(0, counters.unknownOutcomes.sum(), seen);
    } else {
      assertEquals(1, counters.begins.sum(), "unknown: never retried: " + seen);
      assertEquals(1, counters.unknownOutcomes.sum(), seen);
      assertEquals(0, fenced, "unknown: nothing fenced: " + seen);
    }
    return seen;
  }

  /**
   * The proxy scenarios: node 2 executes (or never sees) the COMMIT, dies, the client's socket closes; the
   * client's URL lists nodes 1 and 3 after the proxy, where the driver reconnects and the resolver asks.
   */
  private int killDuringCommit(CommitProxy.Stop stop, DriverEvents[] driver) throws Exception {
    try (CommitProxy proxy = new CommitProxy(GaleraCluster.host(2), stop)) {
      driver[0] = new DriverEvents(new MariaDbDataSource("jdbc:mariadb:sequential://" + proxy.hostPort() + ","
          + GaleraCluster.host(1) + "," + GaleraCluster.host(3) + "/txkit?user=root&deniedListTimeout=1000"
          + "&connectTimeout=2000"));
      try (HikariDataSource pool = GaleraCluster.pool(driver[0], 1, "cl-lost");
          Transactions txs = txkit(pool, Duration.ofSeconds(30))) {
        Future<Integer> call = executor.submit(() -> transfer(txs));
        assertTrue(proxy.awaitStopped(30), "the COMMIT reached the proxy");
        GaleraCluster.kill(2);
        proxy.release();
        return outcome(call);
      }
    }
  }

  @Test
  void theNodeCommitsThenDiesBeforeItsReplyArrivesAndTheCallSucceedsOnce() throws Exception {
    DriverEvents[] driver = new DriverEvents[1];
    String seen;
    try {
      int attempt = killDuringCommit(CommitProxy.Stop.BEFORE_REPLY, driver);
      assertEquals(1, driver[0].count("commit"), "the driver saw its COMMIT fail: " + driver[0].report());
      assertEquals(1, attempt, "resolved as committed: no retry");
      seen = checkOutcome(attempt, 1, 3);
      assertEquals(1, markers(1, "NOT fenced"), "the transaction's own marker");
    } finally {
      GaleraCluster.startNode(2);
    }
    assertEquals(1, applied(2), "the restarted node agrees");
    System.out.println("OBSERVED Galera node killed after it executed the COMMIT, resolver on: " + seen + "\n"
        + driver[0].report());
  }

  @Test
  void theNodeDiesBeforeTheCommitReachesItAndTheRetryAppliesItOnce() throws Exception {
    DriverEvents[] driver = new DriverEvents[1];
    String seen;
    try {
      int attempt = killDuringCommit(CommitProxy.Stop.BEFORE_NODE, driver);
      assertEquals(1, driver[0].count("commit"), "the driver saw its COMMIT fail: " + driver[0].report());
      assertEquals(2, attempt, "resolved as not committed (fenced): retried once");
      seen = checkOutcome(attempt, 1, 3);
    } finally {
      GaleraCluster.startNode(2);
    }
    assertEquals(1, applied(2), "the restarted node agrees");
    System.out.println("OBSERVED Galera node killed before the COMMIT reached it, resolver on: " + seen + "\n"
        + driver[0].report());
  }

  @Test
  void withNoOtherNodeToAskTheOutcomeStaysUnknown() throws Exception {
    // a plain URL through the proxy to node 2 only: once node 2 is dead the resolver reaches no node
    int attempt;
    long started;
    try (CommitProxy proxy = new CommitProxy(GaleraCluster.host(2), CommitProxy.Stop.BEFORE_REPLY);
        HikariDataSource pool = pool(new MariaDbDataSource("jdbc:mariadb://" + proxy.hostPort()
            + "/txkit?user=root&connectTimeout=1000"), 2_000);
        Transactions txs = txkit(pool, Duration.ofSeconds(3))) {
      Future<Integer> call = executor.submit(() -> transfer(txs));
      assertTrue(proxy.awaitStopped(30), "the COMMIT reached the proxy");
      GaleraCluster.kill(2);
      started = System.nanoTime();
      proxy.release();
      attempt = outcome(call);
    }
    long resolvedMillis = (System.nanoTime() - started) / 1_000_000;
    String seen;
    try {
      assertEquals(-1, attempt, "no node answers: unknown, never a guess");
      // a round waits for a connection as long as the pool does (its connectionTimeout, 2 s here)
      assertTrue(resolvedMillis < 3_000 + 2_000 + 3_000, "the resolver gave up after its 3 s budget and one wait "
          + "for the pool: " + resolvedMillis + " ms");
      seen = checkOutcome(attempt, 1, 3);
    } finally {
      GaleraCluster.startNode(2);
    }
    System.out.println("OBSERVED Galera lost COMMIT, no other node to ask: " + seen + " after " + resolvedMillis
        + " ms");
  }

  /** A pool of one connection that waits at most {@code connectionTimeoutMillis} for a connection. */
  private static HikariDataSource pool(DataSource driver, long connectionTimeoutMillis) {
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setDataSource(driver);
    config.setMaximumPoolSize(1);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(connectionTimeoutMillis);
    config.setPoolName("cl-lost");
    return new HikariDataSource(config);
  }

  /**
   * The driver's data source, below the pool, running {@code onResolve} once (in a thread of its own) when the pool
   * opens a connection after the driver saw the COMMIT fail: the resolver's first connection.
   */
  private static DataSource onResolve(DriverEvents driver, Runnable onResolve) {
    AtomicBoolean done = new AtomicBoolean();
    return (DataSource) Proxy.newProxyInstance(LostCommitIT.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (p, m, args) -> {
          if (m.getName().equals("getConnection") && driver.count("commit") > 0 && done.compareAndSet(false, true)) {
            Thread t = new Thread(onResolve, "resume-peers");
            t.setDaemon(true);
            t.start();
          }
          try {
            return m.invoke(driver, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** A pool that connects to node 2 first (the transaction runs there), then to the first Synced other node. */
  private static DriverEvents node2First() throws SQLException {
    return new DriverEvents(new MariaDbDataSource(GaleraCluster.multiHostUrl("sequential",
        GaleraCluster.SYNCED_ONLY + "&connectTimeout=2000", 2, 1, 3)));
  }

  private static void resumePeers() {
    GaleraCluster.resume(1);
    GaleraCluster.resume(3);
  }

  @Test
  void quorumLostDuringCommitWhileThePeersComeBackIsNeverReportedWrongly() throws Exception {
    DriverEvents driver = node2First();
    int attempt;
    try (HikariDataSource pool = GaleraCluster.pool(onResolve(driver, LostCommitIT::resumePeers), 1, "cl-lost");
        Transactions txs = txkit(pool, Duration.ofSeconds(30))) {
      // node 2's peers freeze: its COMMIT waits for them until node 2 gives up on the group (about 3 s here) with
      // 1180; the peers come back as the resolver starts, when the cluster may still deliver the write set
      GaleraCluster.pause(1);
      GaleraCluster.pause(3);
      try {
        attempt = outcome(executor.submit(() -> transfer(txs)));
      } finally {
        resumePeers();
      }
    }
    GaleraCluster.awaitAllSynced();
    assertEquals(1, driver.count("commit", "HY000", 1180), "the COMMIT failed with 1180 (call: " + attempt + ", "
        + counters + ", connections by port " + driver.connectionsByPort() + "): " + driver.report());
    String seen = checkOutcome(attempt, 1, 2, 3);
    System.out.println("OBSERVED Galera quorum lost during COMMIT (1180), peers back as the resolver starts: " + seen);
  }

  @Test
  void theNodeKilledWhileItsCommitWaitsForThePeersIsNeverReportedWrongly() throws Exception {
    DriverEvents driver = node2First();
    int attempt;
    try (HikariDataSource pool = GaleraCluster.pool(driver, 1, "cl-lost");
        Transactions txs = txkit(pool, Duration.ofSeconds(30));
        Connection watch = GaleraCluster.connect(2);
        PreparedStatement committing = watch.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = 'COMMIT'")) {
      GaleraCluster.pause(1);
      GaleraCluster.pause(3);
      Future<Integer> call;
      try {
        call = executor.submit(() -> transfer(txs));
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
      } finally {
        // the peers come back while the client learns of the lost COMMIT: the resolver races their view change
        resumePeers();
      }
      attempt = outcome(call);
    }
    String seen;
    try {
      seen = checkOutcome(attempt, 1, 3);
    } finally {
      GaleraCluster.startNode(2);
    }
    assertEquals(applied(1), applied(2), "the restarted node agrees");
    System.out.println("OBSERVED Galera node killed while its COMMIT waited for the group, resolver on: " + seen
        + "\n" + driver.report());
  }
}
