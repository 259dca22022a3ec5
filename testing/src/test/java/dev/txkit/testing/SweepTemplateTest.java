package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/** The JUnit form of a sweep on H2: one invocation per point and kind, each handed its case. */
class SweepTemplateTest {

  private static final List<String> SEEN = new ArrayList<>();
  private static TestDb db;

  static Stream<Sweep> inserts() {
    db = TestDatabases.h2();
    db.createTable("st_items", "id BIGINT PRIMARY KEY, name VARCHAR(20)");
    return Stream.of(Sweep.builder(db.dataSource()).name("insert").tables("st_items").expectRecovery(true)
        .unit(txs -> txs.useTransaction(tx -> tx.update("INSERT INTO st_items VALUES (?, ?)", 1, "one"))));
  }

  @SweepTest("inserts")
  void insert(SweepCase run) {
    SEEN.add(run.pointNumber() + " " + run.point() + " " + run.kind());
    assertTrue(run.outcome().returned() || run.outcome().failure() instanceof dev.txkit.TransactionException,
        "the caller sees txkit's exceptions: " + run.outcome().failure());
  }

  @AfterAll
  static void everyPointAndKindRanOnceAndTheTableWasRestored() {
    assertEquals(List.of("1 GET_CONNECTION CONNECTION_LOSS", "2 BEGIN CONNECTION_LOSS",
        "3 STATEMENT_BEFORE TRANSIENT", "3 STATEMENT_BEFORE NON_RETRYABLE", "3 STATEMENT_BEFORE CONNECTION_LOSS",
        "4 STATEMENT_AFTER TRANSIENT", "4 STATEMENT_AFTER NON_RETRYABLE", "4 STATEMENT_AFTER CONNECTION_LOSS",
        "5 COMMIT_BEFORE TRANSIENT", "5 COMMIT_BEFORE NON_RETRYABLE", "5 COMMIT_BEFORE CONNECTION_LOSS",
        "6 COMMIT_AFTER UNKNOWN_OUTCOME", "7 CLOSE CONNECTION_LOSS"), SEEN);
    assertEquals(List.of(), db.queryLongs("SELECT id FROM st_items"), "restored when the template ended");
  }
}
