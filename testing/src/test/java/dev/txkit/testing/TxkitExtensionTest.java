package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.FailureKind;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.Mockito;

/** The JUnit 5 extension: injection, a fresh database per test, faults reset, unfired faults fail the test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TxkitExtensionTest {

  @RegisterExtension
  static TxkitExtension kit = TxkitExtension.builder().h2()
      .schema("CREATE TABLE fi_ext (id INT PRIMARY KEY, v INT)").build();

  private static final List<Object> SEEN = new ArrayList<>();

  @Test
  @Order(1)
  void injectsTheKitsObjects(Transactions txs, DataSource ds, FaultyDataSource faulty, Faults faults,
      Recorder recorder, FakeSleeper sleeper) {
    assertSame(faulty, ds);
    assertSame(kit.faults(), faults);
    assertSame(kit.recorder(), recorder);
    assertSame(kit.transactions(), txs);
    faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.attempt(1)).fail(Failures.h2().deadlock()));
    txs.useTransaction(tx -> tx.update("INSERT INTO fi_ext VALUES (1, 1)"));
    recorder.assertAttempts(2);
    recorder.assertRetried(FailureKind.DEADLOCK);
    assertEquals(1, sleeper.sleeps().size(), "the retry backed off on the fake sleeper, without sleeping");
    SEEN.add(faulty);
  }

  @Test
  @Order(2)
  void eachTestGetsAFreshDatabaseAndNoArmedFaults(Transactions txs, Faults faults, FaultyDataSource faulty) {
    assertEquals(List.of(), faults.armed());
    assertNotSame(SEEN.get(0), faulty);
    // the same key as in the first test: a fresh database per test
    txs.useTransaction(tx -> tx.update("INSERT INTO fi_ext VALUES (1, 1)"));
    long rows = txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM fi_ext", Long.class));
    assertEquals(1L, rows);
  }

  @Test
  @Order(3)
  void anUnfiredFaultFailsTheTestAndAFailedTestGetsTheTrace() throws Exception {
    TxkitExtension own = TxkitExtension.builder().h2().build();
    ExtensionContext ctx = Mockito.mock(ExtensionContext.class);
    Mockito.when(ctx.getExecutionException()).thenReturn(Optional.empty());
    own.beforeEach(ctx);
    own.faults().inject(Fault.at(Point.COMMIT_AFTER).dropConnection());
    AssertionError e = assertThrows(AssertionError.class, () -> own.afterEach(ctx));
    assertTrue(e.getMessage().contains("never fired"), e.getMessage());

    own.beforeEach(ctx);
    try (Connection c = own.dataSource().getConnection()) {
      c.createStatement().execute("SELECT 1");
    }
    Mockito.when(ctx.getExecutionException()).thenReturn(Optional.of(new AssertionError("test failed")));
    Mockito.when(ctx.getDisplayName()).thenReturn("failing test");
    own.faults().inject(Fault.at(Point.COMMIT_AFTER).dropConnection());
    own.afterEach(ctx);
    Mockito.verify(ctx).publishReportEntry(Mockito.eq("txkit-trace"),
        Mockito.contains("Statement.execute [SELECT 1]"));
    assertEquals(List.of(), own.faults().armed(), "faults reset after the test");
  }

  @Test
  @Order(4)
  void aDelayFaultUsesTheSleeperYouGiveIt(Faults faults, Transactions txs) {
    FakeSleeper clock = new FakeSleeper();
    faults.sleeper(clock).inject(Fault.at(Point.COMMIT_BEFORE).delay(Duration.ofSeconds(3)));
    txs.useTransaction(tx -> tx.update("INSERT INTO fi_ext VALUES (1, 1)"));
    assertEquals(List.of(Duration.ofSeconds(3)), clock.sleeps());
  }

  @Test
  void builderNeedsADatabase() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TxkitExtension.builder().build());
    assertTrue(e.getMessage().contains("h2()"), e.getMessage());
  }
}
