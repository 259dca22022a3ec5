package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sweep's verdicts on H2, each with a unit of work that earns it. */
class SweepVerdictsTest {

  private final TestDb db = TestDatabases.h2();
  private DataSource ds;

  @BeforeEach
  void setUp() {
    db.createTable("sv_accounts", "id BIGINT PRIMARY KEY, balance BIGINT NOT NULL");
    db.exec("INSERT INTO sv_accounts VALUES (1, 100), (2, 100)");
    ds = db.dataSource();
  }

  @AfterEach
  void tearDown() {
    db.exec("DROP TABLE sv_accounts");
  }

  private static void transfer(Transactions txs, TxOptions options) {
    txs.useTransaction(options, tx -> {
      tx.updateOne("UPDATE sv_accounts SET balance = balance - 10 WHERE id = ?", 1);
      tx.updateOne("UPDATE sv_accounts SET balance = balance + 10 WHERE id = ?", 2);
    });
  }

  private List<Long> balances() {
    return db.queryLongs("SELECT balance FROM sv_accounts ORDER BY id");
  }

  @Test
  void txkitsTransferHasNoWrongPointAndTheTablesAreRestored() {
    SweepReport r = Sweep.builder(ds).tables("sv_accounts").expectRecovery(true)
        .unit(txs -> transfer(txs, TxOptions.defaults())).run();
    r.assertNoWrongPoints();
    assertEquals(9, r.points(), r.table());
    assertEquals(19, r.cases().size(), r.table());
    assertEquals(List.of(100L, 100L), balances(), "the state before the sweep");
    assertTrue(r.table().contains("unknown, committed"), r.table());
    assertTrue(r.table().contains("unknown, rolled back"), r.table());
  }

  @Test
  void aFailureTxkitRetriesIsWrongWhenItReachesTheCallerAndRecoveryIsExpected() {
    SweepReport r = Sweep.builder(ds).tables("sv_accounts").expectRecovery(true)
        .unit(txs -> transfer(txs, TxOptions.builder().retry(RetryPolicy.none()).build())).run();
    List<SweepCase> wrong = r.wrong();
    assertFalse(wrong.isEmpty());
    for (SweepCase c : wrong) {
      assertTrue(c.kind() == SweepKind.TRANSIENT || c.kind() == SweepKind.CONNECTION_LOSS, c.toString());
      assertTrue(c.reason().contains("txkit retries it by default"), c.reason());
      assertTrue(c.effect().equals("as before the unit ran"), "consistent, only not retried: " + c.effect());
    }
    SweepReport lenient = Sweep.builder(ds).tables("sv_accounts")
        .unit(txs -> transfer(txs, TxOptions.builder().retry(RetryPolicy.none()).build())).run();
    lenient.assertNoWrongPoints();
  }

  @Test
  void aBrokenInvariantMakesTheCleanRunWrongAndNothingIsTried() {
    SweepReport r = Sweep.builder(ds).tables("sv_accounts")
        .invariant((real, seen) -> assertEquals(List.of(100L, 100L), balances(), "nobody may move money"))
        .unit(txs -> transfer(txs, TxOptions.defaults())).run();
    assertNotNull(r.cleanRunWrong());
    assertTrue(r.cleanRunWrong().contains("the invariant does not hold: nobody may move money"), r.cleanRunWrong());
    assertEquals(0, r.cases().size());
    AssertionError e = assertThrows(AssertionError.class, r::assertNoWrongPoints);
    assertTrue(e.getMessage().contains("THE CLEAN RUN WAS WRONG"), e.getMessage());
  }

  @Test
  void aLeakedConnectionIsWrong() {
    SweepReport r = Sweep.builder(ds).tables("sv_accounts").unit(txs -> {
      Connection c = txs.dataSource().getConnection();
      c.setAutoCommit(false);
    }).run();
    assertTrue(r.cleanRunWrong().contains("the unit left 1 connection(s) open"), r.cleanRunWrong());
  }

  @Test
  void aPointTheRunDoesNotReachAgainIsNotReached() {
    AtomicInteger runs = new AtomicInteger();
    SweepReport r = Sweep.builder(ds).tables("sv_accounts").unit(txs -> {
      if (runs.getAndIncrement() == 0) {
        transfer(txs, TxOptions.defaults());
      }
    }).run();
    assertEquals(r.cases().size(), r.notReached().size(), r.table());
    assertTrue(r.notReached().get(0).reason().contains("is the unit deterministic?"));
  }

  @Test
  void aResetReplacesTheRestoreAndTheTablesAreStillCompared() {
    AtomicInteger resets = new AtomicInteger();
    SweepReport r = Sweep.builder(ds).tables("sv_accounts").reset(real -> {
      resets.incrementAndGet();
      db.exec("UPDATE sv_accounts SET balance = 100");
    }).unit(txs -> transfer(txs, TxOptions.defaults())).run();
    r.assertNoWrongPoints();
    assertEquals(r.cases().size() + 1, resets.get(), "before every run, and at the end");
  }

  @Test
  void theReplayCodeCountsRepeatedStatementsAndQuotesTheirText() {
    SweepReport r = Sweep.builder(ds).tables("sv_accounts").kinds(SweepKind.TRANSIENT)
        .unit(txs -> txs.useTransaction(TxOptions.builder().name("twice \"quoted\"").build(), tx -> {
          tx.update("UPDATE sv_accounts SET balance = balance + 1 WHERE id = 1");
          tx.update("UPDATE sv_accounts SET balance = balance + 1 WHERE id = 1");
        })).run();
    r.assertNoWrongPoints();
    SweepCase second = r.cases().stream().filter(c -> c.point() == Point.STATEMENT_BEFORE && c.site().endsWith(
        "#2 in 'twice \"quoted\"'")).findFirst().orElseThrow();
    assertEquals("faults.inject(Fault.at(Point.STATEMENT_BEFORE)\n"
        + "    .when(Trigger.sqlContains(\"UPDATE sv_accounts SET balance = balance + 1 WHERE id = 1\"), "
        + "Trigger.transaction(\"twice \\\"quoted\\\"\"))\n"
        + "    .nth(2)\n"
        + "    .fail(Failures.h2().deadlock()));", second.replay());
  }

  @Test
  void aSilentRollbackIsWrongForAnyClientSoItIsOnlyTriedWhenAskedFor() {
    SweepReport r = Sweep.builder(ds).tables("sv_accounts").kinds(SweepKind.SILENT_ROLLBACK)
        .unit(txs -> transfer(txs, TxOptions.defaults())).run();
    assertEquals(1, r.cases().size(), r.table());
    assertTrue(r.wrong().get(0).reason().contains("but the work is missing"), r.wrong().get(0).reason());
    assertFalse(Sweep.builder(ds).tables("sv_accounts").unit(txs -> transfer(txs, TxOptions.defaults())).run()
        .cases().stream().anyMatch(c -> c.kind() == SweepKind.SILENT_ROLLBACK));
  }

  @Test
  void badSetUpsAreRefusedWithWhatToDo() throws SQLException {
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> Sweep.builder(ds).unit(txs -> { }));
    assertTrue(none.getMessage().contains("tables(...)") && none.getMessage().contains("reset(...)"));
    IllegalArgumentException faulty = assertThrows(IllegalArgumentException.class,
        () -> Sweep.builder(FaultyDataSource.wrap(ds)));
    assertTrue(faulty.getMessage().contains("delegate()"), faulty.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Sweep.builder(ds).tables("accounts; DROP TABLE x"));
    assertThrows(IllegalArgumentException.class, () -> Sweep.builder(ds).kinds());
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> Sweep.builder(ds).tables("sv_nothing").unit(txs -> { }).run());
    assertTrue(missing.getMessage().contains("could not read the tables [sv_nothing]"), missing.getMessage());
  }
}
