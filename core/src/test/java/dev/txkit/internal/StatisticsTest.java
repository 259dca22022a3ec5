package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.CompletionStatus;
import dev.txkit.FailureKind;
import dev.txkit.Isolation;
import dev.txkit.Outcome;
import dev.txkit.RetryPolicy;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TxOptions;
import dev.txkit.internal.TransactionEngineTest.FakeTicker;
import dev.txkit.spi.CommitResolution;
import dev.txkit.spi.ManualScope;
import dev.txkit.spi.TransactionEngine;
import dev.txkit.spi.TransactionScope;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The statistics of {@link TransactionStats}, with exact figures: a fake clock that moves only where the test
 * moves it (inside statements, between them, while a connection is taken, during the commit).
 */
class StatisticsTest {

  private final List<String> log = new ArrayList<>();
  private final FakeResource resource = new FakeResource(log);
  private final FakeTicker ticker = new FakeTicker();
  private final List<TransactionStats> stats = new ArrayList<>();

  private TransactionListener listener(boolean wantsStatistics) {
    return new TransactionListener() {
      @Override
      public void onComplete(TransactionStats s) {
        stats.add(s);
      }

      @Override
      public boolean wantsStatistics() {
        return wantsStatistics;
      }
    };
  }

  private TransactionEngine engine(boolean wantsStatistics) {
    return TransactionEngine.builder().ticker(ticker).sleeper(d -> ticker.advance(d)).random(() -> 0.5)
        .listeners(List.of(listener(wantsStatistics))).build();
  }

  private void ms(long millis) {
    ticker.advance(Duration.ofMillis(millis));
  }

  /** A statement that takes {@code millis} on the fake clock. */
  private void statement(TransactionScope<?> scope, long millis) {
    long started = scope.statementStarted();
    ms(millis);
    scope.statementEnded(started);
  }

  private static long nanos(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  /** Each attempt waits 3 ms for its connection. */
  private void connectionsTake3ms(int attempts) {
    for (int n = 1; n <= attempts; n++) {
      resource.onBegin(n, () -> {
        TransactionScope<?> s = resource.contexts.get(resource.contexts.size() - 1);
        long t = s.ticks();
        ms(3);
        s.connectionWaited(s.ticks() - t);
      });
    }
  }

  @Test
  void committedTransactionCountsStatementsDatabaseIdleAndConnectionTime() {
    connectionsTake3ms(1);
    resource.onCommit(1, () -> ms(6));
    TxOptions options = TxOptions.builder().name("transfer").isolation(Isolation.SERIALIZABLE).build();
    engine(true).execute(resource, options, scope -> {
      assertTrue(scope.measured());
      ms(1);
      statement(scope, 2);
      ms(4);
      statement(scope, 5);
      ms(1);
      return null;
    });
    TransactionStats s = stats.get(0);
    assertEquals("transfer", s.transactionName());
    assertEquals(Outcome.COMMITTED, s.outcome());
    assertEquals(CompletionStatus.COMMITTED, s.status());
    assertEquals(Isolation.SERIALIZABLE, s.isolation());
    assertFalse(s.readOnly());
    assertFalse(s.manual());
    assertEquals(1, s.attempts());
    assertEquals(Map.of(), s.retriesByKind());
    assertEquals(0, s.retries());
    assertTrue(s.measured());
    assertEquals(2, s.statements());
    assertEquals(nanos(2 + 5 + 6), s.databaseNanos(), "statements and the commit");
    assertEquals(nanos(1 + 4 + 1), s.idleNanos(), "before, between and after the statements");
    assertEquals(nanos(3), s.connectionWaitNanos());
    assertEquals(nanos(3 + 1 + 2 + 4 + 5 + 1 + 6), s.elapsedNanos());
  }

  @Test
  void retriedTransactionSumsItsAttemptsAndCountsRetriesByKind() throws SQLException {
    connectionsTake3ms(3);
    engine(true).execute(resource, TxOptions.builder().name("transfer").build(), scope -> {
      statement(scope, 2);
      ms(1);
      if (scope.attempt() == 1) {
        throw new SQLException("deadlock", "40P01");
      }
      if (scope.attempt() == 2) {
        throw new SQLException("could not serialize", "40001");
      }
      statement(scope, 2);
      return null;
    });
    TransactionStats s = stats.get(0);
    assertEquals(Outcome.COMMITTED, s.outcome());
    assertEquals(3, s.attempts());
    assertEquals(Map.of(FailureKind.DEADLOCK, 1, FailureKind.SERIALIZATION_FAILURE, 1), s.retriesByKind());
    assertEquals(2, s.retries());
    assertEquals(4, s.statements());
    assertEquals(nanos(2 + 2 + 2 + 2), s.databaseNanos());
    assertEquals(nanos(1 + 1 + 1), s.idleNanos());
    assertEquals(nanos(9), s.connectionWaitNanos());
  }

  @Test
  void retriesRunningOutIsAGiveUp() {
    RetryPolicy twice = RetryPolicy.builder().withMaxAttempts(2).build();
    assertThrows(SQLException.class, () -> engine(true).execute(resource,
        TxOptions.builder().name("hot").retry(twice).build(), scope -> {
          statement(scope, 1);
          throw new SQLException("deadlock", "40P01");
        }));
    TransactionStats s = stats.get(0);
    assertEquals(Outcome.GAVE_UP, s.outcome());
    assertEquals(CompletionStatus.ROLLED_BACK, s.status());
    assertEquals(2, s.attempts());
    assertEquals(Map.of(FailureKind.DEADLOCK, 1), s.retriesByKind());
    assertEquals(2, s.statements());
  }

  @Test
  void anExceptionOfTheApplicationIsARollbackNotAGiveUp() {
    assertThrows(IllegalStateException.class, () -> engine(true).execute(resource,
        TxOptions.builder().name("order").build(), scope -> {
          statement(scope, 1);
          throw new IllegalStateException("out of stock");
        }));
    TransactionStats s = stats.get(0);
    assertEquals(Outcome.ROLLED_BACK, s.outcome());
    assertEquals(1, s.attempts());
    assertEquals(1, s.statements());
    assertEquals(Map.of(), s.retriesByKind());
  }

  @Test
  void rollbackOnlyIsARollback() {
    engine(true).execute(resource, TxOptions.builder().name("dry-run").build(), scope -> {
      scope.setRollbackOnly();
      return null;
    });
    assertEquals(Outcome.ROLLED_BACK, stats.get(0).outcome());
    assertEquals(CompletionStatus.ROLLED_BACK, stats.get(0).status());
  }

  @Test
  void lostCommitReplyIsUnknownOrResolved() {
    resource.onCommit(1, () -> {
      throw new SQLException("connection reset", "08006");
    });
    resource.resolveAs(1, CommitResolution.UNKNOWN);
    assertThrows(CommitOutcomeUnknownException.class,
        () -> engine(true).execute(resource, TxOptions.builder().name("pay").build(), scope -> null));
    assertEquals(Outcome.UNKNOWN, stats.get(0).outcome());
    assertEquals(CompletionStatus.UNKNOWN, stats.get(0).status());

    FakeResource other = new FakeResource(log);
    other.onCommit(1, () -> {
      throw new SQLException("connection reset", "08006");
    });
    other.resolveAs(1, CommitResolution.COMMITTED);
    engine(true).execute(other, TxOptions.builder().name("pay").build(), scope -> null);
    assertEquals(Outcome.RESOLVED, stats.get(1).outcome());
    assertEquals(CompletionStatus.COMMITTED, stats.get(1).status());
  }

  @Test
  void manualTransactionsReportTheirStatisticsToo() {
    connectionsTake3ms(1);
    TransactionEngine engine = engine(true);
    ManualScope<FakeResource.Attempt> tx = engine.begin(resource,
        TxOptions.builder().name("manual").readOnly(true).build());
    statement(tx, 4);
    ms(2);
    tx.commit();
    TransactionStats s = stats.get(0);
    assertTrue(s.manual());
    assertTrue(s.readOnly());
    assertEquals(Outcome.COMMITTED, s.outcome());
    assertEquals(1, s.statements());
    assertEquals(nanos(4), s.databaseNanos());
    assertEquals(nanos(2), s.idleNanos());
    assertEquals(nanos(3), s.connectionWaitNanos());
  }

  @Test
  void nothingIsMeasuredWhenNoListenerWantsStatistics() {
    engine(false).execute(resource, TxOptions.builder().name("cheap").build(), scope -> {
      assertFalse(scope.measured(), "no clock around statements");
      return null;
    });
    TransactionStats s = stats.get(0);
    assertFalse(s.measured());
    assertEquals(0, s.statements());
    assertEquals(Outcome.COMMITTED, s.outcome());
  }

  @Test
  void retriesByKindAreReportedEvenWhenStatementsAreNotMeasured() throws SQLException {
    engine(false).execute(resource, TxOptions.builder().name("cheap").build(), scope -> {
      if (scope.attempt() == 1) {
        throw new SQLException("deadlock", "40P01");
      }
      return null;
    });
    assertEquals(Map.of(FailureKind.DEADLOCK, 1), stats.get(0).retriesByKind());
  }
}
