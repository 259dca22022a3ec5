package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CurrentTransaction;
import dev.txkit.Outcome;
import dev.txkit.PitfallException;
import dev.txkit.PitfallMode;
import dev.txkit.Pitfalls;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionWarning;
import dev.txkit.TxOptions;
import dev.txkit.internal.TransactionEngineTest.FakeTicker;
import dev.txkit.spi.TransactionEngine;
import dev.txkit.spi.TransactionScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pitfall warnings, on a fake clock: each fires once when it should, never when it should not. */
class PitfallsTest {

  private final List<String> log = new ArrayList<>();
  private final FakeResource resource = new FakeResource(log);
  private final FakeTicker ticker = new FakeTicker();
  private final List<TransactionWarning> warnings = new ArrayList<>();
  private final List<String> logged = new ArrayList<>();
  private final List<TransactionStats> stats = new ArrayList<>();
  private final TransactionListener listener = new TransactionListener() {
    @Override
    public void onWarning(TransactionWarning warning) {
      warnings.add(warning);
    }

    @Override
    public void onComplete(TransactionStats s) {
      stats.add(s);
    }

    @Override
    public boolean wantsStatistics() {
      return false;
    }
  };

  private TransactionEngine engine(Pitfalls pitfalls) {
    return TransactionEngine.builder().ticker(ticker).sleeper(d -> ticker.advance(d)).listeners(List.of(listener))
        .warnings((message, failure) -> logged.add(message)).pitfalls(pitfalls).build();
  }

  private static Pitfalls idleGap(PitfallMode mode) {
    return Pitfalls.builder().idleGap(mode, Duration.ofMillis(500)).build();
  }

  private void ms(long millis) {
    ticker.advance(Duration.ofMillis(millis));
  }

  private void statement(TransactionScope<?> scope) {
    long started = scope.statementStarted();
    ms(1);
    scope.statementEnded(started);
  }

  private static TxOptions named(String name) {
    return TxOptions.builder().name(name).build();
  }

  @Test
  void anIdleGapBetweenTwoStatementsWarnsOnceWithTheNameAndWhereItBegan() {
    engine(idleGap(PitfallMode.WARN)).execute(resource, named("checkout"), scope -> {
      assertTrue(scope.measured(), "the pitfall needs the clock although no listener wants statistics");
      statement(scope);
      ms(2_000); // the email sent inside the transaction
      statement(scope);
      ms(3_000);
      statement(scope);
      return null;
    });
    assertEquals(1, warnings.size(), warnings.toString());
    TransactionWarning w = warnings.get(0);
    assertEquals(TransactionWarning.Kind.IDLE_GAP, w.kind());
    assertEquals("checkout", w.transactionName());
    assertEquals(1, w.attempt());
    assertTrue(w.message().contains("idle for 2000 ms between two statements"), w.message());
    assertTrue(w.message().contains("afterCommit"), w.message());
    assertNotNull(w.begunAt());
    // the first frame outside txkit's packages (this test sits in one of them, so the frame is JUnit's; the JDBC
    // binding's tests check that it is the application's own frame)
    assertFalse(w.begunAt().getClassName().startsWith("dev.txkit."), w.begunAt().toString());
    assertEquals(List.of(w.message()), logged);
    assertTrue(log.contains("commit 1"), "a warning does not change the outcome");
  }

  @Test
  void shortGapsDoNotWarn() {
    engine(idleGap(PitfallMode.WARN)).execute(resource, named("checkout"), scope -> {
      statement(scope);
      ms(499);
      statement(scope);
      ms(499);
      return null;
    });
    assertEquals(List.of(), warnings);
  }

  @Test
  void aGapBeforeTheFirstStatementIsNoIdleGapButOneBeforeTheCommitIs() {
    engine(idleGap(PitfallMode.WARN)).execute(resource, named("report"), scope -> {
      ms(5_000);
      statement(scope);
      return null;
    });
    assertEquals(List.of(), warnings, "no lock is held before the first statement");
    engine(idleGap(PitfallMode.WARN)).execute(resource, named("report"), scope -> {
      statement(scope);
      ms(5_000);
      return null;
    });
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).message().contains("between its last statement and its commit"));
  }

  @Test
  void failModeRefusesTheStatementAfterTheGapRollsBackAndDoesNotRetry() {
    List<Integer> ran = new ArrayList<>();
    PitfallException e = assertThrows(PitfallException.class, () ->
        engine(idleGap(PitfallMode.FAIL)).execute(resource, named("checkout"), scope -> {
          statement(scope);
          ms(2_000);
          statement(scope);
          ran.add(2);
          return null;
        }));
    assertEquals(List.of(), ran, "the second statement did not run");
    assertSame(warnings.get(0), e.warning());
    assertTrue(log.contains("rollback 1") && !log.contains("commit 1"), log.toString());
    assertEquals(1, resource.begins(), "not retried");
    assertEquals(Outcome.ROLLED_BACK, stats.get(0).outcome());
  }

  @Test
  void aLongTransactionWarnsAtTheStatementAfterTheThreshold() {
    Pitfalls p = Pitfalls.builder().longTransaction(PitfallMode.WARN, Duration.ofSeconds(1)).build();
    engine(p).execute(resource, named("batch"), scope -> {
      for (int i = 0; i < 5; i++) {
        statement(scope);
        ms(400);
      }
      return null;
    });
    assertEquals(1, warnings.size(), warnings.toString());
    assertEquals(TransactionWarning.Kind.LONG_TRANSACTION, warnings.get(0).kind());
    assertTrue(warnings.get(0).message().contains("open for 1203 ms"), warnings.get(0).message());
  }

  @Test
  void aLongTransactionInFailModeIsRolledBackAtItsCommit() {
    Pitfalls p = Pitfalls.builder().longTransaction(PitfallMode.FAIL, Duration.ofSeconds(1)).build();
    assertThrows(PitfallException.class, () -> engine(p).execute(resource, named("batch"), scope -> {
      statement(scope);
      ms(1_500);
      return null;
    }));
    assertTrue(log.contains("rollback 1") && !log.contains("commit 1"), log.toString());
    assertEquals(Outcome.ROLLED_BACK, stats.get(0).outcome());
  }

  @Test
  void aShortTransactionDoesNotWarn() {
    Pitfalls p = Pitfalls.builder().longTransaction(PitfallMode.WARN, Duration.ofSeconds(1)).build();
    engine(p).execute(resource, named("quick"), scope -> {
      statement(scope);
      ms(900);
      return null;
    });
    assertEquals(List.of(), warnings);
  }

  @Test
  void aBlockingCallInsideATransactionWarnsAndNamesAfterCommit() {
    TransactionEngine engine = engine(Pitfalls.builder().blockingCall(PitfallMode.WARN).build());
    CurrentTransaction.blockingCall("smtp send"); // outside any transaction: nothing
    engine.execute(resource, named("signup"), scope -> {
      CurrentTransaction.blockingCall("smtp send");
      CurrentTransaction.blockingCall("smtp send"); // once per transaction
      scope.afterCommit(() -> CurrentTransaction.blockingCall("smtp send")); // the right place: nothing
      return null;
    });
    assertEquals(1, warnings.size(), warnings.toString());
    TransactionWarning w = warnings.get(0);
    assertEquals(TransactionWarning.Kind.BLOCKING_CALL, w.kind());
    assertTrue(w.message().contains("'smtp send'") && w.message().contains("tx.afterCommit"), w.message());
    assertNotNull(w.begunAt());
  }

  @Test
  void aBlockingCallInFailModeFailsTheTransaction() {
    TransactionEngine engine = engine(Pitfalls.builder().blockingCall(PitfallMode.FAIL).build());
    assertThrows(PitfallException.class, () -> engine.execute(resource, named("signup"), scope -> {
      CurrentTransaction.blockingCall("http POST");
      return null;
    }));
    assertTrue(log.contains("rollback 1"));
  }

  @Test
  void pitfallsOffMeasureNothing() {
    engine(Pitfalls.off()).execute(resource, named("plain"), scope -> {
      assertFalse(scope.measured());
      CurrentTransaction.blockingCall("smtp send");
      return null;
    });
    assertEquals(List.of(), warnings);
  }

  @Test
  void thresholdsMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pitfalls.builder().idleGap(PitfallMode.WARN, Duration.ZERO));
    assertTrue(e.getMessage().contains("PitfallMode.OFF"), e.getMessage());
  }
}
