package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.PitfallMode;
import dev.txkit.Pitfalls;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Micrometer meters, read back from a {@link SimpleMeterRegistry} after real H2 transactions. */
class MicrometerMetricsTest {

  @Test
  void timersAndCountersPerTransactionName() throws Exception {
    TestDatabases.TestDb db = TestDatabases.h2();
    db.exec("CREATE TABLE metered (id INT PRIMARY KEY, n INT)", "INSERT INTO metered VALUES (1, 0)");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
    Transactions txs = Transactions.builder(flaky).metrics(registry).sleeper(d -> { })
        .pitfalls(Pitfalls.builder().idleGap(PitfallMode.WARN, Duration.ofMillis(50)).build()).build();
    TxOptions transfer = TxOptions.builder().name("transfer").build();

    for (int i = 0; i < 3; i++) {
      txs.useTransaction(transfer, tx -> tx.update("UPDATE metered SET n = n + 1 WHERE id = 1"));
    }
    flaky.failNextUpdate(new SQLException("Deadlock detected", "40001", 40001));
    txs.useTransaction(transfer, tx -> tx.update("UPDATE metered SET n = n + 1 WHERE id = 1"));
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(transfer, tx -> {
      throw new IllegalStateException("declined");
    }));
    TxOptions once = TxOptions.builder().name("transfer").retry(RetryPolicy.none()).build();
    flaky.failNextUpdate(new SQLException("Deadlock detected", "40001", 40001));
    assertThrows(dev.txkit.DeadlockException.class,
        () -> txs.useTransaction(once, tx -> tx.update("UPDATE metered SET n = n + 1 WHERE id = 1")));
    flaky.loseNextCommitReply(new SQLException("connection reset", "08006"));
    assertThrows(dev.txkit.CommitOutcomeUnknownException.class,
        () -> txs.useTransaction(transfer, tx -> tx.update("UPDATE metered SET n = n + 1 WHERE id = 1")));
    txs.useTransaction(transfer, tx -> {
      tx.update("UPDATE metered SET n = n + 1 WHERE id = 1");
      Thread.sleep(80); // an idle gap
      tx.update("UPDATE metered SET n = n + 1 WHERE id = 1");
    });

    assertEquals(5, timer(registry, "committed").count(), "3 plain, 1 after a retry, 1 with a gap");
    assertEquals(1, timer(registry, "rolled_back").count());
    assertEquals(1, timer(registry, "gave_up").count());
    assertEquals(1, timer(registry, "unknown").count());
    assertEquals(1.0, registry.get("txkit.transaction.retries").tag("name", "transfer").tag("kind", "deadlock")
        .counter().count());
    Timer idle = registry.get("txkit.transaction.idle").tag("name", "transfer").timer();
    assertEquals(8, idle.count());
    assertTrue(idle.max(TimeUnit.MILLISECONDS) >= 80, "the gap's 80 ms: " + idle.max(TimeUnit.MILLISECONDS));
    assertEquals(8, registry.get("txkit.transaction.database").tag("name", "transfer").timer().count());
    assertEquals(8, registry.get("txkit.transaction.connection.wait").tag("name", "transfer").timer().count());
    assertEquals(1.0, registry.get("txkit.transaction.warnings").tag("name", "transfer").tag("kind", "idle_gap")
        .counter().count());
    assertTrue(timer(registry, "committed").totalTime(TimeUnit.MILLISECONDS) >= 80);
  }

  private static Timer timer(SimpleMeterRegistry registry, String outcome) {
    return registry.get("txkit.transactions").tag("name", "transfer").tag("outcome", outcome).timer();
  }
}
