package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CurrentTransaction;
import dev.txkit.PitfallException;
import dev.txkit.PitfallMode;
import dev.txkit.Pitfalls;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionWarning;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pitfall warnings on real transactions: a transaction that sends an "email" (sleeps) between its two
 * statements warns, with its name and the line of this class that began it; one that does not, does not; in fail
 * mode the statement after the gap is refused and nothing is committed. A blocking call inside a transaction (an
 * email reported with {@code CurrentTransaction.blockingCall}, a second connection from the guarded data source)
 * warns, the same call in {@code afterCommit} does not.
 */
class PitfallsIT {

  private static final Duration GAP = Duration.ofMillis(150);
  private static final long EMAIL_MILLIS = 300;

  static List<TestDatabases.TestDb> all() {
    return TestDatabases.all();
  }

  /** Keeps the warnings. */
  static final class Warnings implements TransactionListener {
    final List<TransactionWarning> all = new CopyOnWriteArrayList<>();

    @Override
    public void onWarning(TransactionWarning w) {
      all.add(w);
    }

    List<TransactionWarning> of(TransactionWarning.Kind kind) {
      return all.stream().filter(w -> w.kind() == kind).toList();
    }
  }

  private static void sendEmail() {
    try {
      Thread.sleep(EMAIL_MILLIS); // the slow non-database work the warning is about
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Transactions txs(DataSource ds, Warnings w, Pitfalls p) {
    return Transactions.builder(ds).listener(w).pitfalls(p).build();
  }

  private static void setUp(TestDatabases.TestDb db) {
    db.createTable("obs_pitfalls", "id INT PRIMARY KEY, n INT NOT NULL");
    db.exec("INSERT INTO obs_pitfalls VALUES (1, 0)");
  }

  @ParameterizedTest
  @MethodSource("all")
  void anEmailBetweenTwoStatementsIsAnIdleGapAndNoEmailIsNone(TestDatabases.TestDb db) {
    setUp(db);
    Warnings w = new Warnings();
    Transactions txs = txs(db.dataSource(), w, Pitfalls.builder().idleGap(PitfallMode.WARN, GAP).build());
    try (CapturedLogs.Capture logs = CapturedLogs.capture(false)) {
      txs.useTransaction(dev.txkit.TxOptions.builder().name("no-email").build(), tx -> {
        tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
        tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
      });
      assertEquals(List.of(), w.all, "no gap, no warning");

      txs.useTransaction(dev.txkit.TxOptions.builder().name("signup").build(), tx -> {
        tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
        sendEmail();
        tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
      });
      List<TransactionWarning> gaps = w.of(TransactionWarning.Kind.IDLE_GAP);
      assertEquals(1, gaps.size(), w.all.toString());
      TransactionWarning gap = gaps.get(0);
      assertEquals("signup", gap.transactionName());
      assertTrue(gap.message().contains("between two statements") && gap.message().contains("afterCommit"),
          gap.message());
      assertEquals(PitfallsIT.class.getName(), gap.begunAt().getClassName(), "where the application began it");
      assertTrue(gap.message().contains("began at " + PitfallsIT.class.getName()), gap.message());
      assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("WARN [txkit] [signup] transaction was idle for")),
          logs.lines().toString());
    }
    assertEquals(4, db.queryLong("SELECT n FROM obs_pitfalls WHERE id = 1"), "warnings change nothing");
  }

  @ParameterizedTest
  @MethodSource("all")
  void inFailModeTheStatementAfterTheGapIsRefusedAndNothingCommits(TestDatabases.TestDb db) {
    setUp(db);
    Warnings w = new Warnings();
    Transactions txs = txs(db.dataSource(), w, Pitfalls.builder().idleGap(PitfallMode.FAIL, GAP).build());
    PitfallException e = assertThrows(PitfallException.class, () -> txs.useTransaction(tx -> {
      tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
      sendEmail();
      tx.update("UPDATE obs_pitfalls SET n = n + 100 WHERE id = ?", 1);
    }));
    assertSame(w.all.get(0), e.warning());
    assertEquals(0, db.queryLong("SELECT n FROM obs_pitfalls WHERE id = 1"));
  }

  @ParameterizedTest
  @MethodSource("all")
  void aBlockingCallInsideATransactionWarnsAndInAfterCommitItDoesNot(TestDatabases.TestDb db) throws Exception {
    setUp(db);
    Warnings w = new Warnings();
    DataSource guarded = ForgottenTransactionGuard.wrap(db.dataSource());
    Transactions txs = txs(guarded, w, Pitfalls.builder().blockingCall(PitfallMode.WARN).build());
    txs.useTransaction(tx -> {
      tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
      tx.afterCommit(() -> CurrentTransaction.blockingCall("smtp: send receipt"));
    });
    assertEquals(List.of(), w.all, "afterCommit is the place for it; txkit's own connections do not count");

    txs.useTransaction(dev.txkit.TxOptions.builder().name("receipt").build(), tx -> {
      tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
      CurrentTransaction.blockingCall("smtp: send receipt");
    });
    assertEquals(1, w.all.size(), w.all.toString());
    assertTrue(w.all.get(0).message().contains("'smtp: send receipt'"), w.all.get(0).message());

    w.all.clear();
    txs.useTransaction(dev.txkit.TxOptions.builder().name("second-connection").build(), tx -> {
      try (Connection other = guarded.getConnection()) {
        other.isValid(1);
      }
    });
    assertEquals(1, w.all.size(), w.all.toString());
    assertEquals(TransactionWarning.Kind.BLOCKING_CALL, w.all.get(0).kind());
    assertTrue(w.all.get(0).message().contains("a second connection"), w.all.get(0).message());
  }

  @ParameterizedTest
  @MethodSource("all")
  void aLongTransactionWarnsAtItsCommit(TestDatabases.TestDb db) {
    setUp(db);
    Warnings w = new Warnings();
    Transactions txs = txs(db.dataSource(), w,
        Pitfalls.builder().longTransaction(PitfallMode.WARN, Duration.ofMillis(200)).build());
    txs.useTransaction(dev.txkit.TxOptions.builder().name("quick").build(),
        tx -> tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1));
    assertEquals(List.of(), w.all);
    txs.useTransaction(dev.txkit.TxOptions.builder().name("slow").build(), tx -> {
      tx.update("UPDATE obs_pitfalls SET n = n + 1 WHERE id = ?", 1);
      sendEmail();
    });
    assertEquals(1, w.of(TransactionWarning.Kind.LONG_TRANSACTION).size(), w.all.toString());
    assertEquals("slow", w.all.get(0).transactionName());
  }
}
