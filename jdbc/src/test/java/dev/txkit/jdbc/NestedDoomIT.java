package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.DeadlockException;
import dev.txkit.TransactionAbortedException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A deadlock inside a nested (savepoint) block dooms the whole attempt: the savepoint cannot rescue it, the
 * outer code that catches the failure and carries on commits nothing of that attempt, and the whole transaction
 * is retried. On PostgreSQL a deadlock inside a savepoint only aborts the sub-transaction, so rolling back to the
 * savepoint would let the outer transaction commit; on MariaDB the whole transaction is already gone and the
 * next statement would silently start a new one. Tables {@code dn_*}.
 */
class NestedDoomIT {

  private static void run(TestDatabases.TestDb db, String initSql, String victimPrep, String otherPrep)
      throws Exception {
    db.createTable("dn_rows", "id INT PRIMARY KEY, v INT NOT NULL");
    db.createTable("dn_log", "id " + db.identity() + ", what VARCHAR(20) NOT NULL");
    db.exec("INSERT INTO dn_rows (id, v) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0)");
    RtKit.Recorder rec = new RtKit.Recorder();
    List<Throwable> caught = new CopyOnWriteArrayList<>();
    CountDownLatch victimHoldsRow1 = new CountDownLatch(1);
    CountDownLatch otherHoldsRow2 = new CountDownLatch(1);
    try (HikariDataSource ds = RtKit.pool(db, 2, initSql); Connection other = db.connect()) {
      Transactions txs = Transactions.builder(ds).listener(rec).build();
      other.setAutoCommit(false);
      try (Statement st = other.createStatement()) {
        if (otherPrep != null) {
          st.execute(otherPrep);
        }
        st.executeUpdate("UPDATE dn_rows SET v = v + 1 WHERE id = 2");
        // makes the other transaction heavier, so that InnoDB picks the txkit transaction as the victim
        st.executeUpdate("UPDATE dn_rows SET v = v + 1 WHERE id >= 3");
      }
      otherHoldsRow2.countDown();
      CompletableFuture<Void> victim = CompletableFuture.runAsync(() -> txs.useTransaction(tx -> {
        if (victimPrep != null) {
          tx.update(victimPrep);
        }
        tx.update("INSERT INTO dn_log (what) VALUES ('outer')");
        try {
          txs.useTransaction(inner -> {
            inner.update("UPDATE dn_rows SET v = v + 10 WHERE id = 1");
            if (inner.attempt() == 1) {
              victimHoldsRow1.countDown();
            }
            RtKit.await(otherHoldsRow2);
            inner.update("UPDATE dn_rows SET v = v + 10 WHERE id = 2");
          });
        } catch (DeadlockException e) {
          caught.add(e);
          try {
            // the trap: carry on after the deadlock as if the savepoint had saved the outer work
            tx.update("INSERT INTO dn_log (what) VALUES ('after')");
          } catch (TransactionAbortedException aborted) {
            caught.add(aborted);
          }
        }
      }));
      RtKit.await(victimHoldsRow1);
      try (Statement st = other.createStatement()) {
        st.executeUpdate("UPDATE dn_rows SET v = v + 1 WHERE id = 1"); // waits for the victim: deadlock
      }
      other.commit();
      victim.get(30, TimeUnit.SECONDS);
    }
    assertEquals(2, caught.size(), "the deadlock and the refused statement were seen: " + caught);
    assertInstanceOf(DeadlockException.class, caught.get(0));
    assertInstanceOf(TransactionAbortedException.class, caught.get(1));
    assertEquals(2, rec.attempts("transaction"), "the whole transaction was retried once");
    assertEquals(List.of(1L), db.queryLongs("SELECT COUNT(*) FROM dn_log WHERE what = 'outer'"),
        "the outer work of the doomed attempt was not committed: exactly one execution");
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM dn_log WHERE what = 'after'"),
        "nothing done after the deadlock in the doomed attempt was committed");
    assertEquals(List.of(11L, 11L), db.queryLongs("SELECT v FROM dn_rows WHERE id <= 2 ORDER BY id"));
    db.exec("DROP TABLE dn_rows", "DROP TABLE dn_log");
  }

  @Test
  void postgresDeadlockInsideASavepointDoomsTheAttempt() throws Exception {
    // the txkit session detects the deadlock first (50 ms), so it is the victim
    run(TestDatabases.postgres(), RtKit.PG_FAST_DEADLOCKS, null, "SET LOCAL deadlock_timeout = '10s'");
  }

  @Test
  void mariadbDeadlockInsideASavepointDoomsTheAttempt() throws Exception {
    run(TestDatabases.mariadb(), null, null, null);
  }
}
