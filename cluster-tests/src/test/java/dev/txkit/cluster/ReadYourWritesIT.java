package dev.txkit.cluster;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes across nodes. Galera replicates a transaction to every node before its COMMIT returns, but
 * each node applies it later: a read on another node right after the COMMIT can return the old value, unless
 * the read waits with {@code wsrep_sync_wait=1} until the node has applied everything committed before it.
 *
 * <p>To make "later" long and deterministic, node 2's applier is held with {@code FLUSH TABLES WITH READ LOCK}
 * (a session lock of the test, which pauses replication on that node) while node 1 commits: the read without
 * {@code wsrep_sync_wait} returns the old value at once; the read with it is seen waiting on node 2, and returns
 * the new value as soon as the lock is released. Three ways to ask for it with txkit, all on a HikariCP pool:
 * the driver's {@code sessionVariables} on the URL, HikariCP's {@code connectionInitSql}, or MariaDB's
 * {@code SET STATEMENT wsrep_sync_wait=1 FOR SELECT ...} for one read.
 */
class ReadYourWritesIT {

  private static final String TABLE = "cl_ryw";
  private static final String READ = "SELECT v FROM " + TABLE + " WHERE id = 1";

  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @BeforeEach
  void table() {
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + TABLE, "CREATE TABLE " + TABLE
        + " (id INT PRIMARY KEY, v INT NOT NULL)", "INSERT INTO " + TABLE + " VALUES (1, 0)");
    // node 2 has the row before its applier is held
    assertEquals(0, GaleraCluster.queryLong(2, READ));
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
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + TABLE);
  }

  private static HikariDataSource pool(String url, String initSql) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    config.setPoolName("cl-ryw");
    if (initSql != null) {
      config.setConnectionInitSql(initSql);
    }
    return new HikariDataSource(config);
  }

  /**
   * Commits v = {@code value} on node 1 while node 2's applier is held, reads on node 2 without waiting (stale),
   * then with {@code waitingRead} (must wait until the applier is released, then see the new value).
   */
  private void staleWithoutAndFreshWith(int value, Transactions waiting, String waitingSql) throws Exception {
    try (HikariDataSource node1 = pool(GaleraCluster.nodeUrl(1), null);
        HikariDataSource plainNode2 = pool(GaleraCluster.nodeUrl(2), null);
        Transactions writer = Transactions.create(node1);
        Transactions plainReader = Transactions.create(plainNode2);
        Connection freeze = GaleraCluster.connect(2);
        Connection watch = GaleraCluster.connect(2)) {
      // the waiting pool opens its connection now: with wsrep_sync_wait the driver's and txkit's own first
      // queries would wait for the held applier too
      assertEquals(value - 1, executor.submit(() -> waiting.inTransaction(tx -> tx.queryOne(waitingSql,
          Integer.class))).get(30, SECONDS));
      exec(freeze, "FLUSH TABLES WITH READ LOCK");
      boolean frozen = true;
      try {
        writer.useTransaction(tx -> tx.updateOne("UPDATE " + TABLE + " SET v = ? WHERE id = 1", value));

        int stale = plainReader.inTransaction(tx -> tx.queryOne(READ, Integer.class));
        System.out.println("OBSERVED Galera read on node 2 right after node 1 committed v=" + value + ", without "
            + "wsrep_sync_wait: v=" + stale);
        assertEquals(value - 1, stale, "without wsrep_sync_wait the read on node 2 is stale");

        Future<Integer> fresh = executor.submit(() -> waiting.inTransaction(tx -> tx.queryOne(waitingSql,
            Integer.class)));
        awaitWaiting(watch, waitingSql, fresh);
        assertFalse(fresh.isDone(), "the read waits for node 2 to apply the write");
        exec(freeze, "UNLOCK TABLES");
        frozen = false;
        int seen = fresh.get(30, SECONDS);
        System.out.println("OBSERVED Galera read on node 2 with wsrep_sync_wait (" + waitingSql + "): waited, then "
            + "v=" + seen);
        assertEquals(value, seen, "with wsrep_sync_wait the read sees the committed write");
      } finally {
        if (frozen) {
          exec(freeze, "UNLOCK TABLES");
        }
      }
    }
  }

  /** Waits until node 2 shows the read in its process list (it is waiting), or the read has returned. */
  private static void awaitWaiting(Connection watch, String sql, Future<?> read) throws Exception {
    long deadline = System.nanoTime() + SECONDS.toNanos(30);
    try (PreparedStatement ps = watch.prepareStatement(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO = ? AND ID <> CONNECTION_ID()")) {
      ps.setString(1, sql);
      while (!read.isDone()) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        assertTrue(System.nanoTime() < deadline, "the read never showed up on node 2");
        Thread.sleep(10);
      }
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  @Test
  void sessionVariablesOnTheUrl() throws Exception {
    try (HikariDataSource pool = pool(GaleraCluster.nodeUrl(2, "sessionVariables=wsrep_sync_wait=1"), null);
        Transactions txs = Transactions.create(pool)) {
      staleWithoutAndFreshWith(1, txs, READ);
    }
  }

  @Test
  void hikariConnectionInitSql() throws Exception {
    try (HikariDataSource pool = pool(GaleraCluster.nodeUrl(2), "SET SESSION wsrep_sync_wait = 1");
        Transactions txs = Transactions.create(pool)) {
      staleWithoutAndFreshWith(1, txs, READ);
    }
  }

  @Test
  void setStatementForOneRead() throws Exception {
    try (HikariDataSource pool = pool(GaleraCluster.nodeUrl(2), null); Transactions txs = Transactions.create(pool)) {
      staleWithoutAndFreshWith(1, txs, "SET STATEMENT wsrep_sync_wait = 1 FOR " + READ);
    }
  }
}
