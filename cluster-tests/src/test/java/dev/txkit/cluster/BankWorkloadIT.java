package dev.txkit.cluster;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.DEADLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.cluster.BankWorkload.Outcome;
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

  private final BankWorkload bank = new BankWorkload(ACCOUNTS);
  private final Counters counters = new Counters();
  private final List<DriverEvents> events = new ArrayList<>();
  private final List<HikariDataSource> pools = new ArrayList<>();
  private final List<Transactions> clients = new ArrayList<>();

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @BeforeEach
  void setUp() {
    bank.setUp();
  }

  @AfterEach
  void close() {
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
  }

  /**
   * The clients: threads of one application, one txkit instance over one pool whose connections the driver
   * spreads over the three nodes ({@code loadbalance}: each new connection goes to the node with the fewest).
   * One instance, because txkit's escalation (a call that failed 5 times runs alone) works among the calls of
   * one instance: with one instance per node, calls still gave up after 10 certification failures (2 in 6,877
   * here).
   */
  private void clients() throws Exception {
    DriverEvents driver = new DriverEvents(new MariaDbDataSource(
        GaleraCluster.multiHostUrl("loadbalance", GaleraCluster.SYNCED_ONLY, 1, 2, 3)));
    HikariDataSource pool = GaleraCluster.pool(driver, CLIENTS, "cl-bank");
    Transactions txs = Transactions.builder(pool).listener(counters).build();
    events.add(driver);
    pools.add(pool);
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(txs);
    }
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

  @Test
  void aNodeKilledAndRestartedMidRunLosesNoAcknowledgedTransferAndAppliesNoneTwice() throws Exception {
    clients();
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
      killedAt = bank.calls();
      GaleraCluster.kill(2);
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
    long unknownApplied = bank.check();

    System.out.println(summary("node 2 killed after call " + killedAt + ", back after call " + restartedAt
        + ", end at " + end, 1, unknownApplied));
    assertEquals(0, bank.count(Outcome.FAILED), "failures escaped the default policy: " + bank.escaped());
    assertTrue(counters.retries(CONNECTION_LOST) + bank.count(Outcome.UNKNOWN) > 0,
        "transactions running on node 2 when it was killed were retried or reported unknown");
    assertEquals(bank.count(Outcome.UNKNOWN), counters.unknownOutcomes.sum());
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
