package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Propagation;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * SLF4J: the transaction's name and attempt in the MDC while the callback runs, the enclosing values back after a
 * nested or REQUIRES_NEW call, nothing left after the transaction; debug lines per attempt that never carry
 * bound values; a warning when txkit gives up on a retried failure.
 */
class MdcAndLoggingTest {

  private static final String SECRET = "4111-1111-1111-1111";

  private static Transactions txs(boolean mdc) {
    TestDatabases.TestDb db = TestDatabases.h2();
    db.exec("CREATE TABLE cards (id INT PRIMARY KEY, number VARCHAR(30))", "INSERT INTO cards VALUES (1, 'x')");
    return Transactions.builder(db.dataSource()).mdc(mdc).sleeper(d -> { }).build();
  }

  private static String mdc() {
    return MDC.get("txkit.transaction") + "#" + MDC.get("txkit.attempt");
  }

  @Test
  void theCallbackSeesItsTransactionInTheMdcAndNestedCallsPutTheOuterOneBack() throws SQLException {
    Transactions txs = txs(true);
    List<String> seen = new ArrayList<>();
    MDC.put("request", "r-1");
    txs.useTransaction(TxOptions.builder().name("checkout").build(), tx -> {
      seen.add(mdc());
      txs.useTransaction(TxOptions.builder().name("audit").propagation(Propagation.REQUIRES_NEW).build(),
          inner -> seen.add(mdc()));
      seen.add(mdc());
      txs.useTransaction(TxOptions.builder().name("step").build(), inner -> seen.add(mdc()));
      if (tx.attempt() == 1) {
        throw new SQLException("deadlock", "40001", 40001);
      }
    });
    assertEquals(List.of("checkout#1", "audit#1", "checkout#1", "checkout#1", "checkout#2", "audit#1", "checkout#2",
        "checkout#2"), seen, "a nested NESTED block runs in the outer transaction; REQUIRES_NEW is its own");
    assertNull(MDC.get("txkit.transaction"));
    assertNull(MDC.get("txkit.attempt"));
    assertEquals("r-1", MDC.get("request"), "the application's own entries stay");
    MDC.clear();
  }

  @Test
  void theMdcIsClearedWhenTheCallbackThrowsAndIsOffByDefault() {
    Transactions txs = txs(true);
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      throw new IllegalStateException("boom");
    }));
    assertNull(MDC.get("txkit.transaction"));
    List<String> seen = new ArrayList<>();
    txs(false).useTransaction(tx -> seen.add(mdc()));
    assertEquals(List.of("null#null"), seen);
  }

  @Test
  void debugLinesPerAttemptNeverCarryBoundValuesAndGivingUpWarns() {
    try (CapturedLogs.Capture logs = CapturedLogs.capture(true)) {
      Transactions txs = txs(false); // built while debug is on: the debug listener is registered
      TxOptions twice = TxOptions.builder().name("pay").retry(RetryPolicy.builder().withMaxAttempts(2).build())
          .build();
      assertThrows(Exception.class, () -> txs.useTransaction(twice, tx -> {
        tx.update("UPDATE cards SET number = ? WHERE id = ?", SECRET, 1);
        throw new SQLException("deadlock on " + SECRET, "40001", 40001);
      }));
      List<String> lines = logs.lines();
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("DEBUG [txkit] 'pay' attempt 1 failed with DEADLOCK "
          + "(SQLState 40001, vendor code 40001); retrying in ")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("DEBUG [txkit] begin 'pay' attempt 2")), lines.toString());
      assertTrue(lines.contains("WARN [txkit] [pay] gave up after 2 attempts: DEADLOCK (SQLState 40001, vendor code "
          + "40001); all 2 attempts of the retry policy were used"), lines.toString());
      assertFalse(lines.stream().anyMatch(l -> l.contains(SECRET)), "no bound value, no driver message: " + lines);
    }
  }
}
