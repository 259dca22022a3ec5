package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.txkit.Classification;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.CompletionStatus;
import dev.txkit.ConnectionLostException;
import dev.txkit.ConstraintViolationException;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.GiveUpEvent;
import dev.txkit.RetryEvent;
import dev.txkit.RetryPolicy;
import dev.txkit.SerializationFailureException;
import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import dev.txkit.spi.CommitResolution;
import dev.txkit.spi.ResourceTransaction;
import dev.txkit.spi.TransactionEngine;
import dev.txkit.spi.TransactionResource;
import dev.txkit.spi.TransactionScope;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The attempt loop against a fake resource, a fake clock and a sleeper that never sleeps. */
class TransactionEngineTest {

  private static final String NAME = "transfer";
  private static final Classification SERIALIZATION =
      new Classification(FailureKind.SERIALIZATION_FAILURE, FailureScope.TRANSACTION);
  private static final Classification DEADLOCK = new Classification(FailureKind.DEADLOCK, FailureScope.TRANSACTION);

  private final List<String> log = new ArrayList<>();
  private final FakeResource resource = new FakeResource(log);
  private final FakeTicker ticker = new FakeTicker();
  private final List<Duration> sleeps = new ArrayList<>();
  private final Deque<Double> randoms = new ArrayDeque<>();
  private final RecordingListener listener = new RecordingListener(log);
  /** Records the wait, lets the fake clock pass it, and never sleeps. */
  private Sleeper sleeper = d -> {
    sleeps.add(d);
    log.add("sleep " + d.toNanos());
    ticker.advance(d);
  };

  private TransactionEngine engine() {
    return new TransactionEngine(d -> sleeper.sleep(d), ticker,
        () -> randoms.isEmpty() ? 0.5 : randoms.removeFirst(), List.of(listener));
  }

  private static TxOptions options() {
    return TxOptions.builder().name(NAME).build();
  }

  private static TxOptions options(RetryPolicy policy) {
    return TxOptions.builder().name(NAME).retry(policy).build();
  }

  private static SQLException sql(String state) {
    return new SQLException("failure " + state, state);
  }

  private static RetryPolicy fixedBackoff(Duration delay) {
    return RetryPolicy.builder().withBackoff(delay, Duration.ofSeconds(10)).withJitter(false).build();
  }

  // --- commit and rollback --------------------------------------------------------------------------------

  @Test
  void normalReturnCommitsClosesAndReturnsTheValue() {
    TxOptions options = options();
    String result = engine().execute(resource, options, ctx -> {
      log.add("body " + ctx.attempt());
      return "done";
    });
    assertEquals("done", result);
    assertEquals(List.of("onBegin transfer 1", "begin 1", "body 1", "commit 1", "onCommit transfer 1", "close 1",
        "onComplete transfer 1 COMMITTED"), log);
    assertEquals(List.of(), sleeps);
    assertSame(options, resource.beginOptions.get(0));
    assertSame(options, resource.contexts.get(0).options());
  }

  @Test
  void exceptionRollsBackAndTheSameInstanceIsRethrown() {
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> engine().execute(resource, options(), ctx -> {
          throw boom;
        }));
    assertSame(boom, thrown);
    assertEquals(0, thrown.getSuppressed().length);
    assertEquals(List.of("onBegin transfer 1", "begin 1", "rollback 1", "close 1",
        "onRollback transfer 1 IllegalStateException", "onGiveUp transfer 1", "onComplete transfer 1 ROLLED_BACK"),
        log);
  }

  @Test
  void rollbackFailureIsAttachedAsSuppressed() {
    SQLException rollbackFailure = sql("08006");
    resource.onRollback(1, () -> {
      throw rollbackFailure;
    });
    IllegalArgumentException boom = new IllegalArgumentException("user error");
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
        () -> engine().execute(resource, options(), ctx -> {
          throw boom;
        }));
    assertSame(boom, thrown);
    assertArrayEquals(new Throwable[] {rollbackFailure}, thrown.getSuppressed());
    assertEquals(1, resource.begins(), "a failed rollback does not turn a user error into a retry");
    assertTrue(log.contains("close 1"));
  }

  @Test
  void theCallbacksCheckedExceptionTypeFlowsThroughUnchanged() {
    IOException io = new IOException("disk full");
    try {
      String unused = engine().execute(resource, options(), ctx -> {
        if (ctx.attempt() > 0) {
          throw io;
        }
        return "never";
      });
      fail("expected an IOException, got " + unused);
    } catch (IOException e) { // compiles only if the body's exception type is the execute's throws clause
      assertSame(io, e);
    }

    SQLException unique = sql("23505");
    try {
      engine().execute(resource, options(), ctx -> {
        throw unique;
      });
      fail("expected the SQLException");
    } catch (SQLException e) {
      assertSame(unique, e, "a database failure thrown by the callback is not wrapped");
    }
    assertFalse(log.contains("commit 1"));
  }

  // --- retries ----------------------------------------------------------------------------------------------

  @Test
  void retryableFailuresAreRetriedWithANewBeginAndTheBackoffOfThePolicy() throws SQLException {
    randoms.add(0.25);
    randoms.add(0.75);
    String result = engine().execute(resource, options(), ctx -> {
      if (ctx.attempt() < 3) {
        throw sql("40001");
      }
      return "third";
    });
    assertEquals("third", result);
    assertEquals(3, resource.begins());
    assertEquals(List.of(1, 2, 3), resource.contexts.stream().map(TransactionScope::attempt).toList());
    assertNotSame(resource.contexts.get(0), resource.contexts.get(1));
    RetryPolicy defaults = RetryPolicy.defaults();
    assertEquals(List.of(defaults.delayAfter(1, 0.25), defaults.delayAfter(2, 0.75)), sleeps);
    assertEquals(List.of(Duration.ofNanos(1_250_000), Duration.ofNanos(7_500_000)), sleeps);
    assertEquals(List.of("begin 1", "rollback 1", "close 1", "sleep 1250000", "begin 2", "rollback 2", "close 2",
        "sleep 7500000", "begin 3", "commit 3", "close 3"), resourceCalls());
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheEarlierFailuresSuppressed() {
    List<SQLException> failures = new ArrayList<>();
    List<GiveUpEvent> givenUp = new ArrayList<>();
    RetryPolicy policy = RetryPolicy.builder().withMaxAttempts(3).onGiveUp(givenUp::add).build();
    SQLException thrown = assertThrows(SQLException.class,
        () -> engine().execute(resource, options(policy), ctx -> {
          SQLException e = new SQLException("deadlock detected " + ctx.attempt(), "40P01");
          failures.add(e);
          throw e;
        }));
    assertEquals(3, resource.begins());
    assertEquals(2, sleeps.size());
    assertSame(failures.get(2), thrown);
    assertArrayEquals(new Throwable[] {failures.get(0), failures.get(1)}, thrown.getSuppressed());
    assertEquals(1, givenUp.size());
    GiveUpEvent event = givenUp.get(0);
    assertEquals(NAME, event.transactionName());
    assertEquals(3, event.attempts());
    assertSame(thrown, event.failure());
    assertEquals(DEADLOCK, event.classification());
    assertEquals("all 3 attempts of the retry policy were used", event.reason());
    assertEquals(List.of(event), listener.giveUps);
  }

  @ParameterizedTest
  @ValueSource(strings = {"23505", "55P03", "HYT00", "57014", "42601", "XX000"})
  void nonRetryableKindsAreNotRetried(String sqlState) {
    SQLException failure = sql(sqlState);
    SQLException thrown = assertThrows(SQLException.class,
        () -> engine().execute(resource, options(), ctx -> {
          throw failure;
        }));
    assertSame(failure, thrown);
    assertEquals(1, resource.begins());
    assertEquals(List.of(), sleeps);
    assertTrue(listener.giveUps.get(0).reason().startsWith("the retry policy does not retry "),
        listener.giveUps.get(0).reason());
  }

  @Test
  void aRuntimeExceptionIsNotRetried() {
    assertThrows(UnsupportedOperationException.class, () -> engine().execute(resource, options(), ctx -> {
      throw new UnsupportedOperationException();
    }));
    assertEquals(1, resource.begins());
  }

  @Test
  void lockTimeoutsAreRetriedWhenThePolicyOptsIn() throws SQLException {
    RetryPolicy policy = RetryPolicy.builder().retryOn(FailureKind.LOCK_TIMEOUT).build();
    String result = engine().execute(resource, options(policy), ctx -> {
      if (ctx.attempt() == 1) {
        throw sql("HYT00");
      }
      return "ok";
    });
    assertEquals("ok", result);
    assertEquals(2, resource.begins());
  }

  @Test
  void aFailedBeginIsClassifiedAndRetried() {
    resource.onBegin(1, () -> {
      throw sql("08001");
    });
    assertEquals("ok", engine().execute(resource, options(), ctx -> "ok"));
    assertEquals(2, resource.begins());
    assertFalse(log.contains("close 1"), "no attempt handle to close");

    FakeResource never = new FakeResource(log).onBegin(1, () -> {
      throw sql("08001");
    });
    ConnectionLostException e = assertThrows(ConnectionLostException.class,
        () -> engine().execute(never, options(RetryPolicy.none()), ctx -> "ok"));
    assertEquals("08001", e.sqlState());
  }

  @Test
  void retryCallbacksAndListenerEventsComeInOrder() throws SQLException {
    RetryPolicy policy = RetryPolicy.builder()
        .onRetry(e -> log.add("policy.onRetry " + e.attempt() + " " + e.classification().kind() + " "
            + e.delay().toNanos()))
        .onGiveUp(e -> log.add("policy.onGiveUp"))
        .build();
    randoms.add(0.5);
    engine().execute(resource, options(policy), ctx -> {
      log.add("body " + ctx.attempt());
      if (ctx.attempt() == 1) {
        throw sql("40001");
      }
      return 1;
    });
    assertEquals(List.of(
        "onBegin transfer 1", "begin 1", "body 1", "rollback 1", "close 1", "onRollback transfer 1 SQLException",
        "policy.onRetry 1 SERIALIZATION_FAILURE 2500000", "onRetry transfer 1 SERIALIZATION_FAILURE 2500000",
        "sleep 2500000",
        "onBegin transfer 2", "begin 2", "body 2", "commit 2", "onCommit transfer 2", "close 2",
        "onComplete transfer 2 COMMITTED"), log);
    RetryEvent event = listener.retries.get(0);
    assertEquals(NAME, event.transactionName());
    assertEquals("40001", ((SQLException) event.failure()).getSQLState());
    assertEquals(Duration.ofNanos(2_500_000), event.delay());
  }

  @Test
  void giveUpEventsComeInOrder() {
    RetryPolicy policy = RetryPolicy.builder().onGiveUp(e -> log.add("policy.onGiveUp " + e.attempts())).build();
    assertThrows(SQLException.class, () -> engine().execute(resource, options(policy), ctx -> {
      throw sql("23505");
    }));
    assertEquals(List.of("onBegin transfer 1", "begin 1", "rollback 1", "close 1",
        "onRollback transfer 1 SQLException", "policy.onGiveUp 1", "onGiveUp transfer 1",
        "onComplete transfer 1 ROLLED_BACK"), log);
    assertEquals(new Classification(FailureKind.CONSTRAINT_VIOLATION, FailureScope.STATEMENT),
        listener.giveUps.get(0).classification());
  }

  @Test
  void anInterruptDuringBackoffStopsRetryingAndKeepsTheInterruptFlag() {
    sleeper = d -> {
      sleeps.add(d);
      if (sleeps.size() == 2) {
        throw new InterruptedException();
      }
    };
    List<SQLException> failures = new ArrayList<>();
    try {
      SQLException thrown = assertThrows(SQLException.class,
          () -> engine().execute(resource, options(), ctx -> {
            SQLException e = sql("40001");
            failures.add(e);
            throw e;
          }));
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is restored");
      assertEquals(2, resource.begins(), "no attempt after the interrupt");
      assertSame(failures.get(1), thrown);
      assertArrayEquals(new Throwable[] {failures.get(0)}, thrown.getSuppressed());
      assertEquals("the thread was interrupted while waiting to retry", listener.giveUps.get(0).reason());
    } finally {
      Thread.interrupted();
    }
  }

  // --- rollback-only and doomed attempts -------------------------------------------------------------------

  @Test
  void setRollbackOnlyRollsBackAndReturnsTheValue() {
    int result = engine().execute(resource, options(), ctx -> {
      ctx.afterCommit(() -> log.add("afterCommit"));
      ctx.afterRollback(() -> log.add("afterRollback"));
      ctx.afterCompletion(s -> log.add("afterCompletion " + s));
      ctx.setRollbackOnly();
      return 42;
    });
    assertEquals(42, result);
    assertEquals(List.of("onBegin transfer 1", "begin 1", "rollback 1", "onRollback transfer 1 null", "close 1",
        "afterRollback", "afterCompletion ROLLED_BACK", "onComplete transfer 1 ROLLED_BACK"), log);
  }

  @Test
  void aDoomedAttemptIsRolledBackNeverCommittedAndRetried() {
    String result = engine().execute(resource, options(), ctx -> {
      if (ctx.attempt() == 1) {
        // user code caught a serialization failure and carried on
        ctx.observe(sql("40001"));
        return "half the work";
      }
      return "all the work";
    });
    assertEquals("all the work", result);
    assertEquals(List.of("begin 1", "rollback 1", "close 1", "sleep 2500000", "begin 2", "commit 2", "close 2"),
        resourceCalls());
  }

  @Test
  void aDoomedAttemptThatCannotBeRetriedThrowsTheDoomingFailure() {
    SQLException cause = sql("40001");
    SerializationFailureException e = assertThrows(SerializationFailureException.class,
        () -> engine().execute(resource, options(RetryPolicy.none()), ctx -> {
          ctx.observe(cause);
          return "half the work";
        }));
    assertSame(cause, e.getCause());
    assertEquals(SERIALIZATION, e.classification());
    assertFalse(log.contains("commit 1"));
    assertTrue(log.contains("rollback 1"));
  }

  @Test
  void anExceptionAfterTheAttemptWasDoomedIsClassifiedByTheDoomingFailure() {
    String result = engine().execute(resource, options(), ctx -> {
      if (ctx.attempt() == 1) {
        ctx.observe(sql("40P01"));
        throw new IllegalStateException("a later statement refused");
      }
      return "ok";
    });
    assertEquals("ok", result);
    assertEquals(2, resource.begins());
  }

  // --- commit failures --------------------------------------------------------------------------------------

  @Test
  void aDefiniteCommitFailureIsRolledBackAndRetriedWhenRetryable() {
    SQLException atCommit = sql("40001");
    resource.onCommit(1, () -> {
      throw atCommit;
    });
    assertEquals("ok", engine().execute(resource, options(), ctx -> "ok"));
    assertEquals(List.of("begin 1", "commit 1", "rollback 1", "close 1", "sleep 2500000", "begin 2", "commit 2",
        "close 2"), resourceCalls());
    RetryEvent retry = listener.retries.get(0);
    assertInstanceOf(SerializationFailureException.class, retry.failure());
    assertSame(atCommit, retry.failure().getCause());
  }

  @Test
  void aDefiniteCommitFailureThatIsNotRetryableIsThrownAsADatabaseFailure() {
    SQLException atCommit = sql("23505");
    resource.onCommit(1, () -> {
      throw atCommit;
    });
    ConstraintViolationException e = assertThrows(ConstraintViolationException.class,
        () -> engine().execute(resource, options(), ctx -> "ok"));
    assertInstanceOf(DatabaseFailureException.class, e);
    assertSame(atCommit, e.getCause());
    assertEquals(FailureKind.CONSTRAINT_VIOLATION, e.kind());
    assertTrue(e.getMessage().startsWith("Commit failed: failure 23505 [SQLState 23505"), e.getMessage());
    assertEquals(List.of("begin 1", "commit 1", "rollback 1", "close 1"), resourceCalls());
  }

  @Test
  void aConnectionLostDuringCommitIsAnUnknownOutcomeAndNotRetried() {
    SQLException atCommit = sql("08006");
    resource.onCommit(1, () -> {
      throw atCommit;
    });
    CommitOutcomeUnknownException e = assertThrows(CommitOutcomeUnknownException.class,
        () -> engine().execute(resource, options(), ctx -> {
          ctx.afterCommit(() -> log.add("afterCommit"));
          ctx.afterRollback(() -> log.add("afterRollback"));
          ctx.afterCompletion(s -> log.add("afterCompletion " + s));
          return "ok";
        }));
    assertSame(atCommit, e.getCause());
    assertTrue(e.getMessage().contains("may or may not have committed"), e.getMessage());
    assertEquals(1, resource.begins(), "CONNECTION_LOST is retryable by default, but not at commit");
    assertEquals(List.of(), sleeps);
    assertEquals(List.of("onBegin transfer 1", "begin 1", "commit 1", "resolve 1", "onOutcomeUnknown transfer 1",
        "close 1", "onGiveUp transfer 1", "afterCompletion UNKNOWN", "onComplete transfer 1 UNKNOWN"), log);
    assertEquals("the commit's outcome is unknown and the transaction is not declared idempotent",
        listener.giveUps.get(0).reason());
  }

  @Test
  void anAmbiguousCommitResultIsAnUnknownOutcome() {
    resource.onCommit(1, () -> {
      throw sql("40003");
    });
    assertThrows(CommitOutcomeUnknownException.class, () -> engine().execute(resource, options(), ctx -> 1));
    assertEquals(1, resource.begins());
  }

  @Test
  void anIdempotentTransactionIsRetriedAfterAnUnknownOutcome() {
    resource.onCommit(1, () -> {
      throw sql("08006");
    });
    TxOptions idempotent = options().toBuilder().idempotent(true).build();
    String result = engine().execute(resource, idempotent, ctx -> "attempt " + ctx.attempt());
    assertEquals("attempt 2", result);
    assertEquals(2, resource.begins());
    assertEquals(List.of("begin 1", "commit 1", "resolve 1", "close 1", "sleep 2500000", "begin 2", "commit 2",
        "close 2"), resourceCalls());
  }

  @Test
  void anIdempotentTransactionIsNotRetriedWhenThePolicyDoesNotRetryLostConnections() {
    resource.onCommit(1, () -> {
      throw sql("08006");
    });
    TxOptions idempotent = options(RetryPolicy.builder().abortOn(FailureKind.CONNECTION_LOST).build()).toBuilder()
        .idempotent(true).build();
    assertThrows(CommitOutcomeUnknownException.class, () -> engine().execute(resource, idempotent, ctx -> 1));
    assertEquals(1, resource.begins());
  }

  @Test
  void aResolverThatFindsTheCommitMakesTheCallSucceed() {
    resource.onCommit(1, () -> {
      throw sql("08006");
    }).resolveAs(1, CommitResolution.COMMITTED);
    String result = engine().execute(resource, options(), ctx -> {
      ctx.afterCommit(() -> log.add("afterCommit"));
      return "committed";
    });
    assertEquals("committed", result);
    assertEquals(List.of("onBegin transfer 1", "begin 1", "commit 1", "resolve 1", "onCommit transfer 1", "close 1",
        "afterCommit", "onComplete transfer 1 COMMITTED"), log);
  }

  @Test
  void aResolverThatFindsNoCommitMakesTheAttemptRetryable() {
    SQLException atCommit = sql("08006");
    resource.onCommit(1, () -> {
      throw atCommit;
    }).resolveAs(1, CommitResolution.NOT_COMMITTED);
    assertEquals("attempt 2", engine().execute(resource, options(), ctx -> "attempt " + ctx.attempt()));
    assertEquals(List.of("begin 1", "commit 1", "resolve 1", "close 1", "sleep 2500000", "begin 2", "commit 2",
        "close 2"), resourceCalls());

    FakeResource once = new FakeResource(new ArrayList<>()).onCommit(1, () -> {
      throw atCommit;
    }).resolveAs(1, CommitResolution.NOT_COMMITTED);
    ConnectionLostException e = assertThrows(ConnectionLostException.class,
        () -> engine().execute(once, options(RetryPolicy.none()), ctx -> "x"));
    assertSame(atCommit, e.getCause());
  }

  // --- hooks ------------------------------------------------------------------------------------------------

  @Test
  void afterCommitHooksRunAfterCommitAndAfterCloseInRegistrationOrder() {
    engine().execute(resource, options(), ctx -> {
      ctx.afterCompletion(s -> log.add("afterCompletion " + s));
      ctx.afterCommit(() -> log.add("afterCommit A"));
      ctx.afterRollback(() -> log.add("afterRollback"));
      ctx.afterCommit(() -> log.add("afterCommit B"));
      log.add("body");
      return null;
    });
    assertEquals(List.of("onBegin transfer 1", "begin 1", "body", "commit 1", "onCommit transfer 1", "close 1",
        "afterCommit A", "afterCommit B", "afterCompletion COMMITTED", "onComplete transfer 1 COMMITTED"), log);
  }

  @Test
  void hooksOfAFailedAttemptThatIsRetriedAreDiscarded() throws SQLException {
    engine().execute(resource, options(), ctx -> {
      int n = ctx.attempt();
      ctx.afterCommit(() -> log.add("afterCommit " + n));
      ctx.afterRollback(() -> log.add("afterRollback " + n));
      ctx.afterCompletion(s -> log.add("afterCompletion " + n + " " + s));
      if (n == 1) {
        throw sql("40P01");
      }
      return null;
    });
    List<String> hooks = log.stream().filter(s -> s.startsWith("after")).toList();
    assertEquals(List.of("afterCommit 2", "afterCompletion 2 COMMITTED"), hooks);
  }

  @Test
  void theLastAttemptsRollbackHooksRunWhenGivingUp() {
    RetryPolicy twice = RetryPolicy.builder().withMaxAttempts(2).build();
    assertThrows(SQLException.class, () -> engine().execute(resource, options(twice), ctx -> {
      int n = ctx.attempt();
      ctx.afterCommit(() -> log.add("afterCommit " + n));
      ctx.afterRollback(() -> log.add("afterRollback " + n));
      ctx.afterCompletion(s -> log.add("afterCompletion " + n + " " + s));
      throw sql("40P01");
    }));
    List<String> hooks = log.stream().filter(s -> s.startsWith("after")).toList();
    assertEquals(List.of("afterRollback 2", "afterCompletion 2 ROLLED_BACK"), hooks);
    assertTrue(log.indexOf("close 2") < log.indexOf("afterRollback 2"));
  }

  @Test
  void aFailingHookDoesNotFailTheTransactionAndReachesTheListeners() {
    RuntimeException hookFailure = new IllegalStateException("mail server down");
    String result = engine().execute(resource, options(), ctx -> {
      ctx.afterCommit(() -> {
        throw hookFailure;
      });
      ctx.afterCommit(() -> log.add("second hook"));
      return "committed";
    });
    assertEquals("committed", result);
    assertEquals(List.of(hookFailure), listener.hookFailures);
    assertTrue(log.indexOf("onHookFailure transfer mail server down") < log.indexOf("second hook"));
    assertEquals(1, resource.begins());
    assertEquals(CompletionStatus.COMMITTED, listener.stats.get(0).status());
  }

  @Test
  void aThrowingListenerDoesNotChangeTheOutcome() {
    TransactionListener broken = new TransactionListener() {
      @Override
      public void onBegin(String transactionName, int attempt) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onCommit(String transactionName, int attempt) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onRollback(String transactionName, int attempt, @Nullable Throwable cause) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onRetry(RetryEvent event) {
        throw new IllegalStateException("listener bug");
      }
    };
    TransactionEngine engine = new TransactionEngine(d -> sleeps.add(d), ticker, () -> 0.5,
        List.of(broken, listener));
    String result = engine.execute(resource, options(), ctx -> {
      if (ctx.attempt() == 1) {
        throw new IllegalStateException("x", sql("40001"));
      }
      return "ok";
    });
    assertEquals("ok", result);
    assertEquals(2, resource.begins());
    assertEquals(1, listener.retries.size(), "the listener after the broken one still hears everything");
  }

  // --- timeouts ---------------------------------------------------------------------------------------------

  @Test
  void theDeadlineIsTheStartPlusTheTimeout() {
    ticker.advance(Duration.ofNanos(1_000));
    TxOptions timed = options().toBuilder().timeout(Duration.ofMillis(100)).build();
    engine().execute(resource, timed, ctx -> {
      assertTrue(ctx.hasDeadline());
      assertEquals(1_000 + 100_000_000L, ctx.deadlineNanos());
      return null;
    });
    engine().execute(resource, options(), ctx -> {
      assertFalse(ctx.hasDeadline());
      return null;
    });
    assertEquals(2, resource.contexts.size());
  }

  @Test
  void aDeadlineThatPassesDuringTheBodyRollsBackAndThrowsTimeout() {
    TxOptions timed = options().toBuilder().timeout(Duration.ofMillis(100)).build();
    TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
        () -> engine().execute(resource, timed, ctx -> {
          ticker.advance(Duration.ofMillis(150));
          return "too late";
        }));
    assertTrue(e.getMessage().contains("'transfer' ran past its timeout of 100 ms"), e.getMessage());
    assertEquals(List.of("begin 1", "rollback 1", "close 1"), resourceCalls());
  }

  @Test
  void aRetryableFailureAfterTheDeadlineIsNotRetried() {
    TxOptions timed = options().toBuilder().timeout(Duration.ofMillis(100))
        .retry(RetryPolicy.builder().retryOn(FailureKind.QUERY_TIMEOUT).build()).build();
    SQLException late = sql("40001");
    TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
        () -> engine().execute(resource, timed, ctx -> {
          ticker.advance(Duration.ofMillis(100));
          throw late;
        }));
    assertSame(late, e.getCause());
    assertEquals(1, resource.begins());
    assertEquals(List.of(), sleeps);
  }

  @Test
  void noRetryStartsWhenTheBackoffWouldCrossTheDeadline() {
    TxOptions timed = options(fixedBackoff(Duration.ofMillis(50))).toBuilder().timeout(Duration.ofMillis(100))
        .build();
    SQLException failure = sql("40P01");
    TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
        () -> engine().execute(resource, timed, ctx -> {
          ticker.advance(Duration.ofMillis(60));
          throw failure;
        }));
    assertSame(failure, e.getCause());
    assertEquals(1, resource.begins());
    assertEquals(List.of(), sleeps, "no pointless wait");
  }

  @Test
  void aRetryStartsWhenTheBackoffEndsBeforeTheDeadline() throws SQLException {
    TxOptions timed = options(fixedBackoff(Duration.ofMillis(50))).toBuilder().timeout(Duration.ofMillis(100))
        .build();
    String result = engine().execute(resource, timed, ctx -> {
      ticker.advance(Duration.ofMillis(10));
      if (ctx.attempt() == 1) {
        throw sql("40P01");
      }
      return "in time";
    });
    assertEquals("in time", result);
    assertEquals(List.of(Duration.ofMillis(50)), sleeps);
  }

  @Test
  void maxDurationStopsRetries() {
    RetryPolicy policy = RetryPolicy.builder().withBackoff(Duration.ofMillis(10), Duration.ofSeconds(1))
        .withJitter(false).withMaxDuration(Duration.ofMillis(100)).build();
    List<SQLException> failures = new ArrayList<>();
    SQLException thrown = assertThrows(SQLException.class,
        () -> engine().execute(resource, options(policy), ctx -> {
          ticker.advance(Duration.ofMillis(30));
          SQLException e = sql("40P01");
          failures.add(e);
          throw e;
        }));
    // attempt 1 ends at 30 ms, waits 10; attempt 2 ends at 70, waits 20; attempt 3 ends at 120: waking at 160
    // would be past the maximum duration of 100 ms
    assertEquals(3, resource.begins());
    assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)), sleeps);
    assertSame(failures.get(2), thrown);
    assertEquals("the retry policy's maximum duration of 100 ms would be exceeded", listener.giveUps.get(0).reason());
  }

  // --- fixed bugs -------------------------------------------------------------------------------------------

  @Test
  void anUnknownCommitOutcomeStaysUnknownWhenTheDeadlinePassedDuringCommit() {
    TxOptions timed = options().toBuilder().timeout(Duration.ofMillis(100)).build();
    SQLException atCommit = sql("08006");
    resource.onCommit(1, () -> {
      ticker.advance(Duration.ofMillis(200)); // the socket timeout that broke the connection
      throw atCommit;
    });
    // a TransactionTimeoutException would tell the caller "rolled back", but the commit may have happened
    CommitOutcomeUnknownException e = assertThrows(CommitOutcomeUnknownException.class,
        () -> engine().execute(resource, timed, ctx -> "maybe"));
    assertSame(atCommit, e.getCause());
    assertEquals(1, resource.begins());
  }

  @Test
  void theIdempotentRetryOfAnUnknownOutcomeDoesNotCrossTheDeadline() {
    TxOptions timed = options(fixedBackoff(Duration.ofMillis(50))).toBuilder().timeout(Duration.ofMillis(100))
        .idempotent(true).build();
    resource.onCommit(1, () -> {
      ticker.advance(Duration.ofMillis(60));
      throw sql("08006");
    });
    CommitOutcomeUnknownException e = assertThrows(CommitOutcomeUnknownException.class,
        () -> engine().execute(resource, timed, ctx -> "maybe"));
    assertEquals(1, resource.begins());
    assertEquals(List.of(), sleeps);
    assertTrue(listener.giveUps.get(0).reason().contains("timeout"), listener.giveUps.get(0).reason());
    assertSame(e, listener.giveUps.get(0).failure());
  }

  @Test
  void statisticsReportTheElapsedTimeOfTheWholeCall() throws SQLException {
    ticker.advance(Duration.ofSeconds(5));
    engine().execute(resource, options(), ctx -> {
      ticker.advance(Duration.ofMillis(30));
      if (ctx.attempt() == 1) {
        throw sql("40001");
      }
      return null;
    });
    TransactionStats stats = listener.stats.get(0);
    assertEquals(2, stats.attempts());
    assertEquals(CompletionStatus.COMMITTED, stats.status());
    assertEquals(Duration.ofMillis(30 + 30).plusNanos(2_500_000).toNanos(), stats.elapsedNanos());
  }

  @Test
  void statisticsReportTheElapsedTimeWhenTheTickerStartsAtZero() {
    assertThrows(SQLException.class, () -> engine().execute(resource, options(RetryPolicy.none()), ctx -> {
      ticker.advance(Duration.ofMillis(7));
      throw sql("23505");
    }));
    TransactionStats stats = listener.stats.get(0);
    assertEquals(CompletionStatus.ROLLED_BACK, stats.status());
    assertEquals(Duration.ofMillis(7).toNanos(), stats.elapsedNanos());
  }

  // --- helpers ----------------------------------------------------------------------------------------------

  /** The log without listener events: only what the resource and the sleeper saw. */
  private List<String> resourceCalls() {
    return log.stream().filter(s -> !s.startsWith("on") && !s.startsWith("body") && !s.startsWith("policy"))
        .toList();
  }

  /** Time that moves only when a test (or the fake sleeper) moves it. */
  static final class FakeTicker implements Ticker {
    private long now;

    @Override
    public long read() {
      return now;
    }

    void advance(Duration d) {
      now += d.toNanos();
    }
  }

  /** Writes every event into the shared log and keeps the event objects. */
  static final class RecordingListener implements TransactionListener {
    final List<String> log;
    final List<RetryEvent> retries = new ArrayList<>();
    final List<GiveUpEvent> giveUps = new ArrayList<>();
    final List<Throwable> hookFailures = new ArrayList<>();
    final List<TransactionStats> stats = new ArrayList<>();

    RecordingListener(List<String> log) {
      this.log = log;
    }

    @Override
    public void onBegin(String transactionName, int attempt) {
      log.add("onBegin " + transactionName + " " + attempt);
    }

    @Override
    public void onCommit(String transactionName, int attempt) {
      log.add("onCommit " + transactionName + " " + attempt);
    }

    @Override
    public void onRollback(String transactionName, int attempt, @Nullable Throwable cause) {
      log.add("onRollback " + transactionName + " " + attempt + " "
          + (cause == null ? "null" : cause.getClass().getSimpleName()));
    }

    @Override
    public void onRetry(RetryEvent event) {
      retries.add(event);
      log.add("onRetry " + event.transactionName() + " " + event.attempt() + " " + event.classification().kind()
          + " " + event.delay().toNanos());
    }

    @Override
    public void onGiveUp(GiveUpEvent event) {
      giveUps.add(event);
      log.add("onGiveUp " + event.transactionName() + " " + event.attempts());
    }

    @Override
    public void onOutcomeUnknown(String transactionName, int attempt, Throwable failure) {
      log.add("onOutcomeUnknown " + transactionName + " " + attempt);
    }

    @Override
    public void onHookFailure(String transactionName, Throwable failure) {
      hookFailures.add(failure);
      log.add("onHookFailure " + transactionName + " " + failure.getMessage());
    }

    @Override
    public void onComplete(TransactionStats s) {
      stats.add(s);
      log.add("onComplete " + s.transactionName() + " " + s.attempts() + " " + s.status());
    }
  }
}
