package dev.txkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bank workload on the cluster: clients move money between a few accounts, each transfer writing a row of
 * the transfer log in the same transaction, with txkit's default retry policy. Every call's outcome is
 * recorded as the caller saw it; {@link #check} then compares that with what every node holds: the total is
 * conserved, no balance is negative, the balances are exactly what the log says, every acknowledged transfer
 * is in the log exactly once, every failed one not at all, every one of unknown outcome at most once, and the
 * three nodes hold the same data.
 */
final class BankWorkload {

  /** How a transfer ended, as its caller saw it. */
  enum Outcome {
    /** Returned normally: committed. */
    OK,
    /** Not enough money: rolled back by the transfer itself ({@code updateOne} found no row to debit). */
    DECLINED,
    /** {@link CommitOutcomeUnknownException}. */
    UNKNOWN,
    /** Any other exception: a failure that escaped txkit's retries. */
    FAILED
  }

  static final String ACCOUNTS = "cl_bank_accounts";
  static final String LOG = "cl_bank_log";
  static final long INITIAL = 1_000;
  /**
   * Contention control off: these runs are about certification conflicts and failover, which a limit on how many
   * transfers run at once would mostly remove (measured: a run after the node-kill test, whose stalled commits
   * had left the process-wide limit of "transfer" at 1, met no conflict at all).
   */
  private static final TxOptions TRANSFER = TxOptions.builder().name("transfer")
      .retry(RetryPolicy.defaults().toBuilder().withContentionControl(false).build()).build();

  private final int accounts;
  private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
  private final Map<Outcome, AtomicLong> counts = new ConcurrentHashMap<>();
  private final List<Throwable> escaped = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger clientIds = new AtomicInteger();
  private final AtomicLong slowestMillis = new AtomicLong();

  BankWorkload(int accounts) {
    this.accounts = accounts;
    for (Outcome o : Outcome.values()) {
      counts.put(o, new AtomicLong());
    }
  }

  /** (Re)creates the tables on node 1 (they replicate) with every account at {@link #INITIAL}. */
  void setUp() {
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= accounts; i++) {
      rows.append(i == 1 ? "" : ", ").append('(').append(i).append(", ").append(INITIAL).append(')');
    }
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + LOG, "DROP TABLE IF EXISTS " + ACCOUNTS,
        "CREATE TABLE " + ACCOUNTS + " (id INT PRIMARY KEY, balance BIGINT NOT NULL)",
        // no unique key on transfer_id: a transfer applied twice must show up as two rows, not as an error
        "CREATE TABLE " + LOG + " (seq BIGINT AUTO_INCREMENT PRIMARY KEY, transfer_id BIGINT NOT NULL, "
            + "from_id INT NOT NULL, to_id INT NOT NULL, amount BIGINT NOT NULL, KEY (transfer_id))",
        "INSERT INTO " + ACCOUNTS + " VALUES " + rows);
    GaleraCluster.awaitOnAllNodes(ACCOUNTS, LOG);
  }

  /** Drops the tables. */
  void tearDown() {
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + LOG, "DROP TABLE IF EXISTS " + ACCOUNTS);
  }

  /** @return how many calls ended this way */
  long count(Outcome o) {
    return counts.get(o).get();
  }

  /** @return the calls made */
  long calls() {
    return outcomes.size();
  }

  /** @return the exceptions that escaped (outcome FAILED), for the failure message */
  List<Throwable> escaped() {
    return List.copyOf(escaped);
  }

  /**
   * One transfer: lock both accounts in key order, debit (only if the money is there), credit, log.
   *
   * @param txs the client's txkit
   * @param transferId unique id of this call
   * @param random the client's random numbers
   */
  void transfer(Transactions txs, long transferId, Random random) {
    int from = 1 + random.nextInt(accounts);
    int to = 1 + random.nextInt(accounts - 1);
    if (to >= from) {
      to++;
    }
    long amount = 1 + random.nextInt(50);
    int fromId = from;
    int toId = to;
    Outcome outcome;
    long start = System.nanoTime();
    try {
      txs.useTransaction(TRANSFER, tx -> {
        tx.lockRows(ACCOUNTS, "id", List.of(fromId, toId));
        tx.updateOne("UPDATE " + ACCOUNTS + " SET balance = balance - ? WHERE id = ? AND balance >= ?", amount,
            fromId, amount);
        tx.updateOne("UPDATE " + ACCOUNTS + " SET balance = balance + ? WHERE id = ?", amount, toId);
        tx.updateOne("INSERT INTO " + LOG + " (transfer_id, from_id, to_id, amount) VALUES (?, ?, ?, ?)",
            transferId, fromId, toId, amount);
      });
      outcome = Outcome.OK;
    } catch (UnexpectedRowCountException insufficientFunds) {
      outcome = Outcome.DECLINED;
    } catch (CommitOutcomeUnknownException unknown) {
      outcome = Outcome.UNKNOWN;
    } catch (RuntimeException e) {
      outcome = Outcome.FAILED;
      escaped.add(e);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    slowestMillis.accumulateAndGet(millis, Math::max);
    outcomes.put(transferId, outcome);
    counts.get(outcome).incrementAndGet();
  }

  /**
   * Runs clients until {@code stop} is set; client {@code i} uses {@code clients.get(i)}.
   *
   * @param clients one txkit per client thread
   * @param stop set it to end the run
   * @param started counted down once by each client after its first call
   * @param executor runs the clients, one thread each
   * @return the clients' futures; each ends when {@code stop} is set
   */
  List<Future<?>> start(List<Transactions> clients, AtomicBoolean stop, CountDownLatch started,
      ExecutorService executor) {
    List<Future<?>> futures = new ArrayList<>();
    for (Transactions txs : clients) {
      int client = clientIds.incrementAndGet();
      futures.add(executor.submit(() -> {
        Random random = new Random(client);
        long seq = 0;
        boolean first = true;
        while (!stop.get()) {
          transfer(txs, client * 10_000_000L + seq++, random);
          if (first) {
            started.countDown();
            first = false;
          }
        }
      }));
    }
    return futures;
  }

  /**
   * Runs the clients for a while and waits for them.
   *
   * @param clients one txkit per client thread
   * @param millis how long
   * @throws Exception if a client thread failed
   */
  void run(List<Transactions> clients, long millis) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(clients.size());
    try {
      AtomicBoolean stop = new AtomicBoolean();
      List<Future<?>> futures = start(clients, stop, new CountDownLatch(clients.size()), executor);
      TimeUnit.MILLISECONDS.sleep(millis);
      stop.set(true);
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      executor.shutdownNow();
    }
  }

  /**
   * Checks the invariants on every node (with {@code wsrep_sync_wait}, after the cluster has caught up).
   *
   * @return the number of transfers of unknown outcome that were in fact applied
   * @throws SQLException if a node cannot be read
   */
  long check() throws SQLException {
    Map<Integer, Long> firstBalances = null;
    long firstLogRows = -1;
    long unknownApplied = 0;
    for (int n = 1; n <= 3; n++) {
      try (Connection c = GaleraCluster.connect(n); Statement st = c.createStatement()) {
        st.execute("SET SESSION wsrep_sync_wait = 1");
        Map<Integer, Long> balances = new HashMap<>();
        long total = 0;
        try (ResultSet rs = st.executeQuery("SELECT id, balance FROM " + ACCOUNTS)) {
          while (rs.next()) {
            balances.put(rs.getInt(1), rs.getLong(2));
            total += rs.getLong(2);
            assertTrue(rs.getLong(2) >= 0, "node " + n + ": negative balance in account " + rs.getInt(1));
          }
        }
        assertEquals(accounts * INITIAL, total, "node " + n + ": total conserved");

        Map<Integer, Long> fromLog = new HashMap<>();
        Map<Long, Integer> applications = new HashMap<>();
        long logRows = 0;
        try (ResultSet rs = st.executeQuery("SELECT transfer_id, from_id, to_id, amount FROM " + LOG)) {
          while (rs.next()) {
            logRows++;
            applications.merge(rs.getLong(1), 1, Integer::sum);
            fromLog.merge(rs.getInt(2), -rs.getLong(4), Long::sum);
            fromLog.merge(rs.getInt(3), rs.getLong(4), Long::sum);
          }
        }
        for (int id = 1; id <= accounts; id++) {
          assertEquals(INITIAL + fromLog.getOrDefault(id, 0L), balances.get(id),
              "node " + n + ": account " + id + " holds exactly what the transfer log says");
        }
        long applied = 0;
        for (Map.Entry<Long, Integer> e : applications.entrySet()) {
          Outcome o = outcomes.get(e.getKey());
          assertTrue(o == Outcome.OK || o == Outcome.UNKNOWN,
              "node " + n + ": transfer " + e.getKey() + " is in the log, but its caller saw " + o);
          assertEquals(1, e.getValue(), "node " + n + ": transfer " + e.getKey() + " applied more than once");
          if (o == Outcome.UNKNOWN) {
            applied++;
          }
        }
        for (Map.Entry<Long, Outcome> e : outcomes.entrySet()) {
          if (e.getValue() == Outcome.OK) {
            assertTrue(applications.containsKey(e.getKey()),
                "node " + n + ": acknowledged transfer " + e.getKey() + " is missing from the log");
          }
        }
        if (firstBalances == null) {
          firstBalances = balances;
          firstLogRows = logRows;
          unknownApplied = applied;
        } else {
          assertEquals(firstBalances, balances, "node " + n + " holds the same balances as node 1");
          assertEquals(firstLogRows, logRows, "node " + n + " holds the same transfer log as node 1");
        }
      }
    }
    return unknownApplied;
  }

  @Override
  public String toString() {
    return "calls=" + calls() + " slowest=" + slowestMillis.get() + "ms ok=" + count(Outcome.OK) + " declined="
        + count(Outcome.DECLINED) + " unknown="
        + count(Outcome.UNKNOWN) + " failed=" + count(Outcome.FAILED);
  }
}
