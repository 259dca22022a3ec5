package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.DeadlockException;
import dev.txkit.FailureKind;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each trigger selects exactly the calls it names. */
class TriggersTest {

  private Fixture f;

  @BeforeEach
  void setUp() {
    f = Fixture.h2("fi_triggers");
  }

  @AfterEach
  void tearDown() {
    f.drop();
  }

  /** Runs statements one by one with autocommit and returns the indexes (from 1) of those that failed. */
  private List<Integer> failing(String... sql) throws SQLException {
    List<Integer> failed = new ArrayList<>();
    try (Connection c = f.ds.getConnection(); Statement st = c.createStatement()) {
      for (int i = 0; i < sql.length; i++) {
        try {
          st.execute(sql[i]);
        } catch (SQLException e) {
          failed.add(i + 1);
        }
      }
    }
    return failed;
  }

  private static final String[] MIX = {
      "INSERT INTO fi_triggers VALUES (1, 1)",
      "SELECT v FROM fi_triggers WHERE id = 1",
      "UPDATE fi_triggers SET v = 2 WHERE id = 1",
      "INSERT INTO fi_triggers VALUES (2, 2)",
      "DELETE FROM fi_triggers WHERE id = 2",
      "INSERT INTO fi_triggers VALUES (3, 3)",
  };

  private Fault statementFault() {
    return Fault.at(Point.STATEMENT_BEFORE).fail(Failures.h2().lockTimeout());
  }

  @Test
  void nthMatchingCall() throws SQLException {
    f.faults.inject(statementFault().when(Trigger.kind(StatementKind.INSERT)).nth(2));
    assertEquals(List.of(4), failing(MIX));
  }

  @Test
  void sqlTextRegexTableAndKind() throws SQLException {
    f.faults.inject(statementFault().when(Trigger.sqlContains("set v")).always());
    assertEquals(List.of(3), failing(MIX));
    f.faults.reset();
    f.db.exec("DELETE FROM fi_triggers");
    f.faults.inject(statementFault().when(Trigger.sqlMatches("VALUES \\([23],")).always());
    assertEquals(List.of(4, 6), failing(MIX));
    f.faults.reset();
    f.db.exec("DELETE FROM fi_triggers");
    f.faults.inject(statementFault().when(Trigger.kind(StatementKind.DELETE)).always());
    f.faults.inject(statementFault().when(Trigger.kind(StatementKind.SELECT)).always());
    assertEquals(List.of(2, 5), failing(MIX));
    f.faults.reset();
    f.faults.inject(statementFault().when(Trigger.table("fi_triggers")).always());
    assertEquals(List.of(1), failing("SELECT COUNT(*) FROM fi_triggers", "SELECT COUNT(*) FROM fi_triggers_other"
        .replace("fi_triggers_other", "INFORMATION_SCHEMA.TABLES")));
  }

  @Test
  void timesAndAlways() throws SQLException {
    f.faults.inject(statementFault().times(2));
    assertEquals(List.of(1, 2), failing(MIX));
    f.faults.reset();
    f.db.exec("DELETE FROM fi_triggers");
    f.faults.inject(statementFault().always());
    assertEquals(List.of(1, 2, 3, 4, 5, 6), failing(MIX));
  }

  @Test
  void attemptNumbersComeFromTheListenerExactly() {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.attempt(1)).fail(Failures.h2().deadlock()));
    f.faults.inject(Fault.at(Point.COMMIT_BEFORE).when(Trigger.attempt(2)).fail(Failures.h2().deadlock()));
    f.txs.useTransaction(tx -> tx.update(f.insert(), 1, 10));
    f.recorder.assertAttempts(3);
    f.recorder.assertRetried(FailureKind.DEADLOCK, FailureKind.DEADLOCK);
    assertEquals(List.of(1L), f.ids());
    f.faults.assertAllFired();
    for (Recorder.Event e : f.recorder.events()) {
      if (e.fault() != null) {
        assertEquals(e.fault().point() == Point.STATEMENT_BEFORE ? 1 : 2, e.attempt(), e.toString());
      }
    }
  }

  @Test
  void alwaysFailingExhaustsTheRetryPolicy() {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).always().fail(Failures.h2().deadlock()));
    TxOptions three = TxOptions.builder().retry(RetryPolicy.builder().withMaxAttempts(3).build()).name("t3").build();
    assertThrows(DeadlockException.class, () -> f.txs.useTransaction(three, tx -> tx.update(f.insert(), 1, 10)));
    f.recorder.assertAttempts(3);
    assertEquals("t3", f.recorder.lastTransaction().name());
    assertEquals(List.of(), f.ids());
  }

  @Test
  void transactionNameAndThread() throws Exception {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.transaction("payments"))
        .fail(Failures.h2().deadlock()));
    f.txs.useTransaction(TxOptions.builder().name("orders").build(), tx -> tx.update(f.insert(), 1, 10));
    f.recorder.assertAttempts(1);
    f.txs.useTransaction(TxOptions.builder().name("payments").build(), tx -> tx.update(f.insert(), 2, 20));
    f.recorder.assertAttempts(2);

    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.threadNamed("fi-other"))
        .fail(Failures.h2().deadlock()));
    f.txs.useTransaction(tx -> tx.update(f.insert(), 3, 30));
    f.recorder.assertAttempts(1);
    Thread other = new Thread(() -> f.txs.useTransaction(tx -> tx.update(f.insert(), 4, 40)), "fi-other");
    other.start();
    other.join(10_000);
    assertEquals(List.of(1L, 2L, 3L, 4L), f.ids());
    f.faults.assertAllFired();
    Recorder.Event fired = f.recorder.events().stream().filter(e -> e.fault() != null
        && e.thread().equals("fi-other")).findFirst().orElseThrow();
    assertEquals(1, fired.attempt());
  }

  @Test
  void seededProbabilityIsReproducible() throws SQLException {
    String[] many = new String[40];
    for (int i = 0; i < many.length; i++) {
      many[i] = "SELECT " + i;
    }
    f.faults.seed(42L);
    f.faults.inject(statementFault().when(Trigger.probability(0.3)).always());
    List<Integer> first = failing(many);
    f.faults.reset();
    f.faults.seed(42L);
    f.faults.inject(statementFault().when(Trigger.probability(0.3)).always());
    assertEquals(first, failing(many));
    assertTrue(first.size() > 3 && first.size() < 30, first.toString());
    f.faults.reset();
    f.faults.seed(43L);
    f.faults.inject(statementFault().when(Trigger.probability(0.3)).always());
    assertTrue(!first.equals(failing(many)), "another seed, another sequence");
  }

  @Test
  void faultThatNeverFiredFailsTheCheckWithTheSeed() {
    f.faults.seed(7L);
    f.faults.inject(statementFault().when(Trigger.sqlContains("no such statement")));
    AssertionError e = assertThrows(AssertionError.class, f.faults::assertAllFired);
    assertTrue(e.getMessage().contains("seed 7"), e.getMessage());
    assertTrue(e.getMessage().contains("no such statement"), e.getMessage());
    assertTrue(e.getMessage().contains("faults.listener()"), "hints at the missing listener: " + e.getMessage());
  }

  @Test
  void faultWithoutActionIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> f.faults.inject(Fault.at(Point.COMMIT_AFTER)));
    assertTrue(e.getMessage().contains("dropConnection"), e.getMessage());
  }

  @Test
  void statementKinds() {
    assertEquals(StatementKind.SELECT, StatementKind.of("  /* x */ select 1"));
    assertEquals(StatementKind.INSERT, StatementKind.of("-- c\ninsert into t values (1)"));
    assertEquals(StatementKind.UPDATE, StatementKind.of("WITH x AS (SELECT 1) UPDATE t SET a = 1"));
    assertEquals(StatementKind.SELECT, StatementKind.of("WITH x AS (SELECT 1) SELECT * FROM x"));
    assertEquals(StatementKind.DELETE, StatementKind.of("delete from t"));
    assertEquals(StatementKind.DDL, StatementKind.of("CREATE TABLE t (a INT)"));
    assertEquals(StatementKind.OTHER, StatementKind.of("SET LOCAL x = 1"));
  }
  @Test
  void transactionsOnTheSameThreadAreTrackedSeparately() {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.transaction("inner"), Trigger.attempt(1))
        .fail(Failures.h2().deadlock()));
    f.txs.useTransaction(TxOptions.builder().name("outer").build(), tx -> {
      tx.update(f.insert(), 1, 10);
      f.txs.useTransaction(TxOptions.builder().name("inner").propagation(dev.txkit.Propagation.REQUIRES_NEW)
          .build(), inner -> inner.update(f.insert(), 2, 20));
      tx.update(f.insert(), 3, 30);
    });
    assertEquals(List.of(1L, 2L, 3L), f.ids());
    List<Recorder.TransactionRun> runs = f.recorder.transactions();
    assertEquals(2, runs.size(), runs.toString());
    assertEquals("outer", runs.get(0).name());
    assertEquals(1, runs.get(0).attempts());
    assertEquals(dev.txkit.CompletionStatus.COMMITTED, runs.get(0).status());
    assertEquals("inner", runs.get(1).name());
    assertEquals(2, runs.get(1).attempts());
    assertEquals(List.of(FailureKind.DEADLOCK), runs.get(1).retriedKinds());
  }
  @Test
  void manualTransactionsDoNotLeaveTheirContextBehind() {
    try (dev.txkit.jdbc.ManualTransaction m = f.txs.begin(TxOptions.builder().name("manual").build())) {
      m.update(f.insert(), 1, 10);
      m.commit();
    }
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.transaction("auto"), Trigger.attempt(1))
        .fail(Failures.h2().deadlock()));
    f.txs.useTransaction(TxOptions.builder().name("auto").build(), tx -> tx.update(f.insert(), 2, 20));
    f.recorder.assertAttempts(2);
    assertEquals(List.of("manual", "auto"), f.recorder.transactions().stream().map(Recorder.TransactionRun::name)
        .toList());
    assertEquals(List.of(1L, 2L), f.ids());
  }
}
