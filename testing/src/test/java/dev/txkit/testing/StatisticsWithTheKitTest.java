package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.CompletionStatus;
import dev.txkit.FailureKind;
import dev.txkit.Outcome;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * txkit's statistics of transactions the kit makes fail: a deadlock injected before the first attempt's statement
 * is counted as a retried deadlock, and a commit whose reply is lost after it committed is an unknown outcome.
 */
class StatisticsWithTheKitTest {

  @RegisterExtension
  static TxkitExtension kit = TxkitExtension.builder().h2()
      .schema("CREATE TABLE kit_stats (id INT PRIMARY KEY, n INT NOT NULL)", "INSERT INTO kit_stats VALUES (1, 0)")
      .build();

  @Test
  void retriedAndUnknownOutcomesHaveTheirFigures(FaultyDataSource ds, Faults faults) {
    List<TransactionStats> stats = new CopyOnWriteArrayList<>();
    Transactions txs = ds.transactions().sleeper(d -> { }).listener(new TransactionListener() {
      @Override
      public void onComplete(TransactionStats s) {
        stats.add(s);
      }
    }).build();

    faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.attempt(1)).fail(Failures.h2().deadlock()));
    txs.useTransaction(tx -> tx.update("UPDATE kit_stats SET n = n + 1 WHERE id = 1"));
    TransactionStats retried = stats.get(0);
    assertEquals(Outcome.COMMITTED, retried.outcome());
    assertEquals(2, retried.attempts());
    assertEquals(Map.of(FailureKind.DEADLOCK, 1), retried.retriesByKind());
    assertEquals(2, retried.statements(), "the refused statement of attempt 1 and the update of attempt 2");

    faults.inject(Fault.at(Point.COMMIT_AFTER).dropConnection());
    assertThrows(CommitOutcomeUnknownException.class,
        () -> txs.useTransaction(tx -> tx.update("UPDATE kit_stats SET n = n + 1 WHERE id = 1")));
    TransactionStats unknown = stats.get(1);
    assertEquals(Outcome.UNKNOWN, unknown.outcome());
    assertEquals(CompletionStatus.UNKNOWN, unknown.status());
    assertEquals(1, unknown.attempts());
    int n = txs.inTransaction(tx -> tx.queryOne("SELECT n FROM kit_stats WHERE id = 1", Integer.class));
    assertEquals(2, n, "both committed, although the caller saw an error for the second");
  }
}
