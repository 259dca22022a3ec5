package dev.txkit.cluster;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.jdbc.Transactions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failover with MariaDB Connector/J multi-host URLs under a HikariCP pool, measured: a client runs small
 * transactions in a loop through txkit while the node its connections are on is killed (kill -9), or hangs
 * (SIGSTOP). What is measured is what the caller sees: the longest call (the outage as it appears to the
 * application), retries, and that no call fails and every acknowledged increment is counted exactly once.
 * Each run prints a line starting with {@code GALERA failover}.
 */
class FailoverIT {

  private static final String TABLE = "cl_failover";

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @BeforeEach
  void table() {
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + TABLE,
        "CREATE TABLE " + TABLE + " (client INT PRIMARY KEY, n BIGINT NOT NULL)",
        "INSERT INTO " + TABLE + " VALUES (1, 0), (2, 0)");
    GaleraCluster.awaitOnAllNodes(TABLE);
  }

  @AfterAll
  static void drop() {
    if (!GaleraCluster.found()) {
      return;
    }
    GaleraCluster.awaitAllSynced();
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + TABLE);
  }

  /** One client: increments its own counter row in a loop, timing each call. */
  private static final class Client {
    final int id;
    final String label;
    final HikariDataSource pool;
    final Counters counters = new Counters();
    final Transactions txs;
    final LongAdder ok = new LongAdder();
    final LongAdder unknown = new LongAdder();
    final LongAdder failed = new LongAdder();
    final AtomicLong slowestNanos = new AtomicLong();
    final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    final DriverEvents driver;

    Client(int id, String label, String url) throws java.sql.SQLException {
      this.id = id;
      this.label = label;
      this.driver = new DriverEvents(new org.mariadb.jdbc.MariaDbDataSource(url));
      this.pool = GaleraCluster.pool(driver, 2, "cl-failover-" + id);
      this.txs = Transactions.builder(pool).listener(counters).build();
    }

    void loop(AtomicBoolean stop) {
      while (!stop.get()) {
        long start = System.nanoTime();
        try {
          txs.useTransaction(tx -> tx.updateOne("UPDATE " + TABLE + " SET n = n + 1 WHERE client = ?", id));
          ok.increment();
        } catch (CommitOutcomeUnknownException e) {
          unknown.increment();
        } catch (RuntimeException e) {
          failed.increment();
          failures.add(e);
        }
        slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
      }
    }

    void close() {
      txs.close();
      pool.close();
    }

    @Override
    public String toString() {
      return label + ": ok=" + ok.sum() + " unknown=" + unknown.sum() + " failed=" + failed.sum() + " slowest="
          + NANOSECONDS.toMillis(slowestNanos.get()) + "ms; txkit " + counters + "\n  driver exceptions:\n"
          + driver.report();
    }
  }

  /** Runs the clients, does {@code fault} once each has made progress, then runs on for a while. */
  private static void run(List<Client> clients, Runnable fault, Runnable repair) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(clients.size());
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (Client c : clients) {
        futures.add(executor.submit(() -> c.loop(stop)));
      }
      awaitProgress(clients, 50);
      fault.run();
      // every client must get back to work on the remaining nodes while the faulty node is out
      awaitProgress(clients, 50);
      repair.run();
      awaitProgress(clients, 20);
    } finally {
      stop.set(true);
      for (Future<?> f : futures) {
        f.get(60, SECONDS);
      }
      executor.shutdownNow();
    }
  }

  private static void awaitProgress(List<Client> clients, long calls) throws InterruptedException {
    long[] from = new long[clients.size()];
    for (int i = 0; i < from.length; i++) {
      from[i] = clients.get(i).ok.sum();
    }
    long deadline = System.nanoTime() + SECONDS.toNanos(60);
    for (int i = 0; i < from.length; i++) {
      while (clients.get(i).ok.sum() < from[i] + calls) {
        assertTrue(System.nanoTime() < deadline, "no progress: " + clients.get(i));
        MILLISECONDS.sleep(10);
      }
    }
  }

  private static void check(List<Client> clients) {
    for (Client c : clients) {
      assertEquals(0, c.failed.sum(), c + ": " + c.failures);
      long n = GaleraCluster.queryLong(1, "SELECT n FROM " + TABLE + " WHERE client = ?", c.id);
      assertTrue(n >= c.ok.sum() && n <= c.ok.sum() + c.unknown.sum(),
          c + ": every acknowledged increment counted once, unknown ones at most once; counter " + n);
    }
  }

  @Test
  void aKilledNodeIsLeftForTheNextHostSequentialAndLoadbalance() throws Exception {
    List<Client> clients = List.of(
        new Client(1, "sequential node2,node1,node3",
            GaleraCluster.multiHostUrl("sequential", GaleraCluster.SYNCED_ONLY, 2, 1, 3)),
        new Client(2, "loadbalance", GaleraCluster.multiHostUrl("loadbalance", GaleraCluster.SYNCED_ONLY, 1, 2, 3)));
    try {
      run(clients, () -> GaleraCluster.kill(2), () -> GaleraCluster.startNode(2));
      for (Client c : clients) {
        System.out.println("GALERA failover, node 2 killed: " + c);
      }
      check(clients);
    } finally {
      clients.forEach(Client::close);
    }
  }

  @Test
  void aHungNodeIsLeftAfterTheDriversSocketTimeout() throws Exception {
    // without socketTimeout a statement on a hung node waits as long as the node hangs
    List<Client> clients = List.of(new Client(1, "sequential node2,node1,node3 socketTimeout=4000",
        GaleraCluster.multiHostUrl("sequential", GaleraCluster.SYNCED_ONLY + "&socketTimeout=4000&connectTimeout=2000",
            2, 1, 3)));
    try {
      run(clients, () -> GaleraCluster.pause(2), () -> {
        GaleraCluster.resume(2);
        GaleraCluster.awaitAllSynced();
      });
      for (Client c : clients) {
        System.out.println("GALERA failover, node 2 hung (SIGSTOP): " + c);
      }
      check(clients);
      assertTrue(clients.get(0).slowestNanos.get() >= MILLISECONDS.toNanos(4000),
          "the call on the hung node waited for the socket timeout");
    } finally {
      clients.forEach(Client::close);
      GaleraCluster.resume(2);
    }
  }
}
