package dev.txkit.cluster;

import static dev.txkit.FailureKind.DEADLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.cluster.BankWorkload.Outcome;
import dev.txkit.jdbc.CommitMarkers;
import dev.txkit.jdbc.Transactions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The bank workload ({@link BankWorkload}) with clients on all three nodes, txkit's default retry policy, and
 * the invariants checked on every node afterwards: certification conflicts at COMMIT are retried and nothing
 * escapes to the callers; then the same while one node is killed (kill -9) and restarted mid-run.
 *
 * <p>Each run prints a line starting with {@code GALERA bank} with the counts: calls and their outcomes,
 * certification conflicts at COMMIT and brute-force aborts as the driver reported them, txkit's retries by
 * kind, node failures, unknown outcomes and how many of those were applied.
 */
class BankWorkloadIT {

  private static final int ACCOUNTS = 10;
  private static final int CLIENTS = 6;
  private static final String MARKERS = "cl_bank_markers";

  private final BankWorkload bank = new BankWorkload(ACCOUNTS);
  private final Counters counters = new Counters();
  private final List<DriverEvents> events = new ArrayList<>();
  private final List<HikariDataSource> pools = new ArrayList<>();
  private final List<Transactions> clients = new ArrayList<>();
  /** In front of node 2 for one client of the resolver's run: it holds back the reply to a COMMIT when node 2 dies. */
  private CommitProxy proxy;

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @BeforeEach
  void setUp() {
    bank.setUp();
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + MARKERS, CommitMarkers.createTableSql(MARKERS));
    GaleraCluster.awaitOnAllNodes(MARKERS);
  }

  @AfterEach
  void close() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    for (Transactions t : clients) {
      t.close();
    }
    for (HikariDataSource p : pools) {
      p.close();
    }
  }

  @AfterAll
  static void drop() {
    if (!GaleraCluster.found()) {
      return;
    }
    GaleraCluster.awaitAllSynced();
    new BankWorkload(ACCOUNTS).tearDown();
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + MARKERS);
  }

  /**
   * The clients: threads of one application, one txkit instance over one pool whose connections the driver
   * spreads over the three nodes ({@code loadbalance}: each new connection goes to the node with the fewest).
   * (Contention control and escalation are the process's, so one instance per node would do as well; when
   * escalation was per instance, calls gave up after 10 certification failures with one instance per node, 2 in
   * 6,877 here.)
   */
  private void clients() throws Exception {
    clients(false, false);
  }

  /**
   * @param markers whether txkit resolves lost commits with commit markers
   * @param viaProxy whether one more client, with a pool of its own, reaches node 2 through {@link #proxy} (nodes 1
   *     and 3 after it), so that a COMMIT node 2 has executed is under way when node 2 is killed
   */
  private void clients(boolean markers, boolean viaProxy) throws Exception {
    DriverEvents driver = new DriverEvents(new MariaDbDataSource(
        GaleraCluster.multiHostUrl("loadbalance", GaleraCluster.SYNCED_ONLY, 1, 2, 3)));
    Transactions txs = txkit(driver, CLIENTS, markers);
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(txs);
    }
    if (viaProxy) {
      // when node 2 is killed, a COMMIT it has executed has its reply withheld: the transfer committed. Killed at
      // once: the held transfer may run in the escalation lane, which holds up every other transfer until it returns
      proxy = CommitProxy.unarmed(GaleraCluster.host(2), CommitProxy.Stop.BEFORE_REPLY);
      clients.add(txkit(new DriverEvents(new MariaDbDataSource("jdbc:mariadb:sequential://" + proxy.hostPort()
          + "," + GaleraCluster.host(1) + "," + GaleraCluster.host(3) + "/txkit?user=root&deniedListTimeout=1000"
          + "&connectTimeout=2000")), 1, markers));
    }
  }

  private Transactions txkit(DriverEvents driver, int connections, boolean markers) {
    // every connection opened up front: contention control may run fewer transfers at once than there are
    // clients, and a pool that opens connections on demand would then reach fewer than three nodes
    HikariDataSource pool = GaleraCluster.pool(driver, connections, connections, "cl-bank");
    Transactions.Builder b = Transactions.builder(pool).listener(counters);
    if (markers) {
      b.commitMarkers(MARKERS);
    }
    events.add(driver);
    pools.add(pool);
    return b.build();
  }

  private long driverCount(String where, String sqlState, int code) {
    long n = 0;
    for (DriverEvents e : events) {
      n += e.count(where, sqlState, code);
    }
    return n;
  }

  private String summary(String run, int nodeFailures, long unknownApplied) {
    StringBuilder sb = new StringBuilder("GALERA bank " + run + ": " + bank + "; connections by port "
        + events.get(0).connectionsByPort() + "; certification conflicts at "
        + "COMMIT=" + driverCount("commit", "40001", 1213) + ", brute-force aborts at a statement="
        + driverCount("statement", "40001", 1213) + "; txkit " + counters + "; node failures=" + nodeFailures
        + "; unknown outcomes applied=" + unknownApplied + " of " + bank.count(Outcome.UNKNOWN)
        + "\n  driver exceptions:\n");
    for (DriverEvents e : events) {
      sb.append(e.report());
    }
    return sb.toString();
  }

  @Test
  void certificationConflictsAtCommitAreRetriedAndEveryTransferIsAppliedExactlyOnce() throws Exception {
    clients();
    bank.run(clients, 6_000);
    long unknownApplied = bank.check();

    System.out.println(summary("clients on all nodes", 0, unknownApplied));
    assertEquals(3, events.get(0).connectionsByPort().size(), "the clients' connections went to all three nodes");
    assertEquals(0, bank.count(Outcome.FAILED), "failures escaped the default policy: " + bank.escaped());
    assertEquals(0, bank.count(Outcome.UNKNOWN));
    assertTrue(bank.count(Outcome.OK) > 100, "the workload ran: " + bank);
    long conflicts = driverCount("commit", "40001", 1213);
    assertTrue(conflicts > 0, "clients on three nodes changing ten accounts must conflict at COMMIT");
    assertTrue(counters.retries(DEADLOCK) >= conflicts, "every certification conflict was retried");
    assertEquals(0, counters.giveUps.sum() - bank.count(Outcome.DECLINED),
        "txkit gave up only on declined transfers (insufficient funds, not retried)");
  }

  /**
   * Without the resolver: the transfers on node 2 when it dies are retried (connection lost before COMMIT) or
   * reported unknown (during COMMIT; one COMMIT node 2 executed is held back as it dies, so there is at least one),
   * and none is applied twice.
   */
  @Test
  void aNodeKilledAndRestartedMidRunLosesNoAcknowledgedTransferAndAppliesNoneTwice() throws Exception {
    clients(false, true);
    String run = killAndRestartNode2MidRun();
    long unknownApplied = bank.check();

    System.out.println(summary(run, 1, unknownApplied));
    assertEquals(0, bank.count(Outcome.FAILED), "failures escaped the default policy: " + bank.escaped());
    assertTrue(bank.count(Outcome.UNKNOWN) > 0, "the COMMIT held back as node 2 died was reported unknown");
    assertEquals(bank.count(Outcome.UNKNOWN), counters.unknownOutcomes.sum());
  }

  /**
   * The same with the commit-marker resolver on: a transfer whose COMMIT was under way on node 2 when it died is
   * resolved on node 1 or 3 (committed: acknowledged; not committed: fenced and retried), so none is left unknown
   * while two nodes keep the primary component, and {@link BankWorkload#check} still finds every acknowledged
   * transfer applied exactly once and none twice.
   */
  @Test
  void aNodeKilledMidRunWithTheResolverOnLeavesNoOutcomeUnknownAndAppliesNoneTwice() throws Exception {
    // the held COMMIT committed: its caller must see it succeed, once (COMMITs that never reached a node: LostCommitIT)
    clients(true, true);
    String run = killAndRestartNode2MidRun();
    long unknownApplied = bank.check();

    long lostCommits = -driverCount("commit", "40001", 1213);
    for (DriverEvents e : events) {
      lostCommits += e.count("commit");
    }
    System.out.println(summary(run + ", resolver on", 1, unknownApplied) + "  COMMITs that failed otherwise than "
        + "by a certification conflict (lost replies): " + lostCommits + "; markers fenced: " + GaleraCluster.queryLong(1,
        "SELECT COUNT(*) FROM " + MARKERS + " WHERE fenced") + ", written: " + GaleraCluster.queryLong(1,
        "SELECT COUNT(*) FROM " + MARKERS));
    assertEquals(0, bank.count(Outcome.FAILED), "failures escaped the default policy: " + bank.escaped());
    assertTrue(lostCommits >= 1, "the stopped COMMIT lost its reply: " + summary(run, 1, unknownApplied));
    assertEquals(0, bank.count(Outcome.UNKNOWN), "every lost COMMIT was resolved");
    assertEquals(0, counters.unknownOutcomes.sum());
  }

  /** Runs the clients, kills node 2 after 300 calls, restarts it after 300 more, stops 300 calls later. */
  private String killAndRestartNode2MidRun() throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(clients.size());
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(clients.size());
    List<Future<?>> futures = bank.start(clients, stop, started, executor);
    long killedAt;
    long restartedAt;
    long end;
    try {
      assertTrue(started.await(30, TimeUnit.SECONDS), "every client made a call");
      awaitCalls(bank.calls() + 300);
      if (proxy != null) {
        proxy.arm();
        assertTrue(proxy.awaitStopped(30), "a COMMIT through the proxy was stopped");
      }
      killedAt = bank.calls();
      GaleraCluster.kill(2);
      if (proxy != null) {
        proxy.release();
      }
      awaitCalls(killedAt + 300);
      // the clients go on while node 2 rejoins (wsrep recovery, then an incremental state transfer)
      GaleraCluster.startNode(2);
      restartedAt = bank.calls();
      awaitCalls(restartedAt + 300);
      end = bank.calls();
    } finally {
      stop.set(true);
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      executor.shutdownNow();
    }
    return "node 2 killed after call " + killedAt + ", back after call " + restartedAt + ", end at " + end;
  }

  private void awaitCalls(long target) throws InterruptedException {
    BooleanSupplier reached = () -> bank.calls() >= target;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!reached.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "the workload made no progress: " + bank);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
