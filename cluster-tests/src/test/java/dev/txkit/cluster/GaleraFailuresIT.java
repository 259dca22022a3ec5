package dev.txkit.cluster;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureScope.TRANSACTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Classification;
import dev.txkit.ConnectionLostException;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The failures of a Galera cluster, produced for real on the three-node cluster: what MariaDB Connector/J 3.5.6
 * reports against Galera 4 (MariaDB 10.11.19) in each case, how txkit classifies it, and what txkit then does
 * (the caller's view: attempts, exceptions, rows). Each observation is printed as a line starting with
 * {@code OBSERVED}; a driver or server upgrade that changes one fails here first.
 */
class GaleraFailuresIT {

  private static final String TABLE = "cl_failures";

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @BeforeEach
  void rows() {
    GaleraCluster.exec(1, "DROP TABLE IF EXISTS " + TABLE,
        "CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, v INT NOT NULL)",
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

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static Connection tx(int node) throws SQLException {
    Connection c = GaleraCluster.connect(node);
    c.setAutoCommit(false);
    return c;
  }

  /** The value of row {@code id} as node {@code n} sees it once it has applied everything before the read. */
  private static long value(int n, int id) {
    return GaleraCluster.queryLong(n, "SELECT v FROM " + TABLE + " WHERE id = ?", id);
  }

  private static Classification observed(String scenario, SQLException e) {
    System.out.println("OBSERVED Galera " + scenario + ": " + e.getClass().getName() + " SQLState=" + e.getSQLState()
        + " vendorCode=" + e.getErrorCode() + " message=" + String.valueOf(e.getMessage()).replace('\n', ' '));
    return Database.MARIADB.classifier().classify(e);
  }

  /** A txkit instance over a pool whose connections the driver-level recorder sees. */
  private static Transactions txkit(String url, HikariDataSource[] pool, DriverEvents[] events, Counters counters)
      throws SQLException {
    MariaDbDataSource driver = new MariaDbDataSource(url);
    events[0] = new DriverEvents(driver);
    pool[0] = GaleraCluster.pool(events[0], 4, "cl-failures");
    return Transactions.builder(pool[0]).listener(counters).build();
  }

  @Test
  void twoNodesChangeTheSameRowAndTheOneCommittingSecondFailsAtCommitWith1213() throws SQLException {
    try (Connection first = tx(1); Connection second = tx(2)) {
      // both execute: Galera takes row locks only on the node the transaction runs on
      exec(first, "UPDATE " + TABLE + " SET v = v + 1 WHERE id = 1");
      exec(second, "UPDATE " + TABLE + " SET v = v + 10 WHERE id = 1");
      first.commit();
      SQLException e = assertThrows(SQLException.class, second::commit);

      Classification c = observed("certification failure at COMMIT", e);
      assertInstanceOf(SQLTransactionRollbackException.class, e);
      assertEquals("40001", e.getSQLState());
      assertEquals(1213, e.getErrorCode());
      assertEquals(new Classification(DEADLOCK, TRANSACTION), c);
      // the loser's work is gone everywhere, the winner's is everywhere
      for (int n = 1; n <= 3; n++) {
        assertEquals(1, value(n, 1), "node " + n);
      }
    }
  }

  @Test
  void aWriteSetFromAnotherNodeAbortsALocalTransactionWhoseNextStatementFailsWith1213() throws SQLException {
    try (Connection local = tx(2)) {
      exec(local, "UPDATE " + TABLE + " SET v = v + 10 WHERE id = 2");
      // another node commits a change of the same row: applying it on node 2 aborts the local transaction
      GaleraCluster.exec(1, "UPDATE " + TABLE + " SET v = v + 1 WHERE id = 2");
      // with wsrep_sync_wait the next read waits until node 2 has applied that write set
      SQLException e = assertThrows(SQLException.class, () -> {
        exec(local, "SET SESSION wsrep_sync_wait = 1");
        exec(local, "SELECT v FROM " + TABLE + " WHERE id = 2");
        local.commit();
      });

      Classification c = observed("brute-force abort by a write set of another node", e);
      assertInstanceOf(SQLTransactionRollbackException.class, e);
      assertEquals(1213, e.getErrorCode());
      assertEquals(new Classification(DEADLOCK, TRANSACTION), c);
      assertEquals(1, value(3, 2));
    }
  }

  @Test
  void txkitRetriesACertificationFailureAtCommitAndAppliesTheTransferOnce() throws SQLException {
    Counters counters = new Counters();
    HikariDataSource[] pool = new HikariDataSource[1];
    DriverEvents[] events = new DriverEvents[1];
    try (Transactions txs = txkit(GaleraCluster.nodeUrl(2), pool, events, counters)) {
      int[] attempt = {0};
      txs.useTransaction(tx -> {
        attempt[0]++;
        tx.updateOne("UPDATE " + TABLE + " SET v = v + 10 WHERE id = 1");
        if (attempt[0] == 1) {
          // node 1 commits a conflicting change while this transaction is open on node 2
          GaleraCluster.exec(1, "UPDATE " + TABLE + " SET v = v + 1 WHERE id = 1");
        }
      });

      System.out.println("OBSERVED Galera txkit after a certification failure: " + counters + "\n"
          + events[0].report());
      assertEquals(2, attempt[0], "one retry");
      assertEquals(1, counters.retries(DEADLOCK));
      assertEquals(1, events[0].count("commit", "40001", 1213) + events[0].count("statement", "40001", 1213),
          "the driver reported exactly one 1213, at COMMIT or at the statement after the abort");
      for (int n = 1; n <= 3; n++) {
        assertEquals(11, value(n, 1), "both changes applied once, on node " + n);
      }
    } finally {
      if (pool[0] != null) {
        pool[0].close();
      }
    }
  }

  @Test
  void aNodeOutOfThePrimaryComponentAnswers1047AndTxkitRetriesElsewhereThroughAMultiHostUrl() throws Exception {
    try (Connection onNode3 = GaleraCluster.connect(3)) {
      GaleraCluster.isolate(3);
      try {
        // the node still accepts connections and pings (a pool keeps handing them out); statements fail
        assertTrue(onNode3.isValid(2), "an isolated node still answers pings");
        SQLException e = assertThrows(SQLException.class,
            () -> exec(onNode3, "SELECT v FROM " + TABLE + " WHERE id = 1"));
        Classification c = observed("statement on a non-Primary node", e);
        assertInstanceOf(SQLNonTransientConnectionException.class, e);
        assertEquals("08S01", e.getSQLState());
        assertEquals(1047, e.getErrorCode());
        assertEquals(new Classification(CONNECTION_LOST, TRANSACTION), c);

        // a plain URL of that node: every attempt lands on it again, until txkit gives up
        Counters plainCounters = new Counters();
        HikariDataSource[] plainPool = new HikariDataSource[1];
        DriverEvents[] plainEvents = new DriverEvents[1];
        try (Transactions plain = txkit(GaleraCluster.nodeUrl(3), plainPool, plainEvents, plainCounters)) {
          ConnectionLostException gaveUp = assertThrows(ConnectionLostException.class, () -> plain.useTransaction(
              tx -> tx.updateOne("UPDATE " + TABLE + " SET v = v + 1 WHERE id = 1")));
          System.out.println("OBSERVED Galera plain URL of a non-Primary node: " + plainCounters + "; "
              + gaveUp.getMessage() + "\n" + plainEvents[0].report());
          assertEquals(10, plainCounters.begins.sum(), "all 10 attempts of the default policy, on the same node");
        } finally {
          if (plainPool[0] != null) {
            plainPool[0].close();
          }
        }

        // a multi-host URL: the driver turns the 1047 into a reconnection to the next node
        Counters counters = new Counters();
        HikariDataSource[] pool = new HikariDataSource[1];
        DriverEvents[] events = new DriverEvents[1];
        try (Transactions txs = txkit(GaleraCluster.multiHostUrl("sequential", "", 3, 1, 2), pool, events,
            counters)) {
          txs.useTransaction(tx -> tx.updateOne("UPDATE " + TABLE + " SET v = v + 1 WHERE id = 1"));
          int port = txs.inTransaction(tx -> tx.queryOne("SELECT @@port", Integer.class));
          System.out.println("OBSERVED Galera multi-host URL, first host non-Primary: " + counters + ", then on "
              + "port " + port + "\n" + events[0].report());
          assertEquals(0, counters.giveUps.sum());
          assertTrue(!GaleraCluster.host(3).endsWith(":" + port), "the transaction ran on another node");
        } finally {
          if (pool[0] != null) {
            pool[0].close();
          }
        }
        assertEquals(1, value(1, 1), "the update was applied once");
      } finally {
        GaleraCluster.rejoin(3);
      }
    }
    assertEquals(1, value(3, 1), "node 3 caught up after rejoining");
  }

  @Test
  void aNodeKilledBeforeCommitLosesTheTransactionAndTxkitRetriesItOnAnotherNode() throws Exception {
    Counters counters = new Counters();
    HikariDataSource[] pool = new HikariDataSource[1];
    DriverEvents[] events = new DriverEvents[1];
    try (Connection plain = tx(2);
        Transactions txs = txkit(GaleraCluster.multiHostUrl("sequential", "", 2, 1, 3), pool, events, counters)) {
      exec(plain, "UPDATE " + TABLE + " SET v = v + 100 WHERE id = 2");
      int[] attempt = {0};
      txs.useTransaction(tx -> {
        attempt[0]++;
        tx.updateOne("UPDATE " + TABLE + " SET v = v + 1 WHERE id = 1");
        if (attempt[0] == 1) {
          GaleraCluster.kill(2);
        }
        tx.updateOne("UPDATE " + TABLE + " SET v = v + 1 WHERE id = 2");
      });

      // the plain connection to the killed node: the socket is gone
      SQLException e = assertThrows(SQLException.class, () -> exec(plain, "SELECT 1"));
      Classification c = observed("statement after the node was killed, plain URL", e);
      assertInstanceOf(SQLNonTransientConnectionException.class, e);
      assertEquals("08000", e.getSQLState());
      assertEquals(new Classification(CONNECTION_LOST, TRANSACTION), c);
      SQLException commit = assertThrows(SQLException.class, plain::commit);
      observed("COMMIT after the node was killed, plain URL", commit);

      System.out.println("OBSERVED Galera txkit, node killed mid-transaction, multi-host URL: " + counters + "\n"
          + events[0].report());
      assertEquals(2, attempt[0], "one retry");
      assertEquals(1, counters.retries(CONNECTION_LOST));
      assertEquals(1, events[0].count("statement", "25S03", 0),
          "the driver reconnected to another node and reported the transaction lost (25S03)");
      assertTrue(events[0].report().contains("In progress transaction was lost"), events[0].report());
      assertEquals(1, value(1, 1));
      assertEquals(1, value(3, 2), "the plain connection's uncommitted +100 died with the node");
    } finally {
      if (pool[0] != null) {
        pool[0].close();
      }
      GaleraCluster.startNode(2);
    }
    assertEquals(1, value(2, 1), "the restarted node caught up");
  }
}
