package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CurrentTransaction;
import dev.txkit.Isolation;
import dev.txkit.Propagation;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import dev.txkit.spi.TransactionEngine;
import dev.txkit.spi.TransactionScope;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nested calls against the fake resource: savepoints, the checks of a nested call, the retry budget that the
 * outermost call shares with its REQUIRES_NEW calls, and the thread's current transaction. Written for the
 * mutants that the mutation run (profile {@code mutation}) found alive in {@code Nesting}, {@code Call},
 * {@code ThreadFrames} and {@code Scope}.
 */
class NestedCallsTest {

  private final List<String> log = new ArrayList<>();
  private final FakeResource resource = new FakeResource(log);
  private final TransactionEngineTest.FakeTicker ticker = new TransactionEngineTest.FakeTicker();
  private final TransactionEngine engine = new TransactionEngine(ticker::advance, ticker, () -> 0.5, List.of());

  private static TxOptions named(String name) {
    return TxOptions.builder().name(name).build();
  }

  private List<String> calls() {
    return log.stream().filter(s -> !s.startsWith("body")).toList();
  }

  @Test
  void aNestedBlockThatReturnsReleasesItsSavepoint() {
    engine.execute(resource, named("outer"), outer -> engine.execute(resource, named("inner"), inner -> "x"));
    assertEquals(List.of("begin 1", "savepoint 1.1", "release savepoint 1.1", "commit 1", "close 1"), calls());
  }

  @Test
  void aNestedBlockThatThrowsIsRolledBackToItsSavepointAndTheOuterCommits() {
    IllegalStateException boom = new IllegalStateException("coupon used");
    String result = engine.execute(resource, named("outer"), outer -> {
      try {
        engine.execute(resource, named("inner"), inner -> {
          throw boom;
        });
      } catch (IllegalStateException e) {
        assertSame(boom, e);
      }
      return "order kept";
    });
    assertEquals("order kept", result);
    assertEquals(List.of("begin 1", "savepoint 1.1", "rollback to savepoint 1.1", "commit 1", "close 1"), calls());
  }

  @Test
  void aJoinedBlockTakesNoSavepoint() {
    engine.execute(resource, named("outer"), outer -> engine.execute(resource,
        named("inner").toBuilder().propagation(Propagation.JOIN).build(), inner -> "x"));
    assertEquals(List.of("begin 1", "commit 1", "close 1"), calls());
  }

  @Test
  void aNestedCallCannotChangeTheIsolationNorWriteInAReadOnlyTransaction() {
    IllegalStateException isolation = assertThrows(IllegalStateException.class, () -> engine.execute(resource,
        named("outer"), outer -> engine.execute(resource, named("inner").toBuilder()
            .isolation(Isolation.SERIALIZABLE).build(), inner -> "x")));
    assertTrue(isolation.getMessage().contains("asks for isolation SERIALIZABLE but the enclosing transaction "
        + "'outer' runs with READ_COMMITTED"), isolation.getMessage());
    // the resource's default isolation is READ_COMMITTED: asking for it explicitly is fine
    engine.execute(resource, named("outer"), outer -> engine.execute(resource, named("inner").toBuilder()
        .isolation(Isolation.READ_COMMITTED).build(), inner -> "x"));
    IllegalStateException readOnly = assertThrows(IllegalStateException.class, () -> engine.execute(resource,
        named("report").toBuilder().readOnly(true).build(), outer -> engine.execute(resource, named("write"),
            inner -> "x")));
    assertTrue(readOnly.getMessage().contains("'write' is read-write but the enclosing transaction 'report' is "
        + "read-only"), readOnly.getMessage());
  }

  @Test
  void theOutermostCallsRetryBudgetBoundsTheRetriesOfItsRequiresNewCalls() {
    FakeResource inner = new FakeResource(log);
    TxOptions outer = named("outer").toBuilder().retry(RetryPolicy.builder().withMaxAttempts(3).build()).build();
    TxOptions requiresNew = named("audit").toBuilder().propagation(Propagation.REQUIRES_NEW)
        .retry(RetryPolicy.builder().withMaxAttempts(10).build()).build();
    SQLException conflict = new SQLException("conflict", "40001");
    SQLException thrown = assertThrows(SQLException.class, () -> engine.execute(resource, outer,
        o -> engine.execute(inner, requiresNew, i -> {
          throw conflict;
        })));
    assertSame(conflict, thrown);
    assertEquals(1, resource.begins(), "the outer call has no retry left either");
    assertEquals(3, inner.begins(), "3 attempts in all (2 retries, the outer policy's budget), not 10");
  }

  @Test
  void theCurrentTransactionIsTheInnermostPhysicalOne() {
    assertFalse(CurrentTransaction.current().isPresent());
    FakeResource inner = new FakeResource(log);
    List<String> seen = new ArrayList<>();
    engine.execute(resource, named("outer"), o -> {
      seen.add(CurrentTransaction.current().map(CurrentTransaction::name).orElse("none"));
      engine.execute(resource, named("nested"), n -> seen.add(CurrentTransaction.current().map(
          CurrentTransaction::name).orElse("none")));
      engine.execute(inner, named("new").toBuilder().propagation(Propagation.REQUIRES_NEW).build(),
          n -> seen.add(CurrentTransaction.current().map(CurrentTransaction::name).orElse("none")));
      seen.add(CurrentTransaction.current().map(CurrentTransaction::name).orElse("none"));
      return null;
    });
    assertEquals(List.of("outer", "outer", "new", "outer"), seen);
    assertFalse(CurrentTransaction.current().isPresent(), "gone when the call ended");
    assertEquals(null, engine.current());
  }

  @Test
  void aBlockCannotBeUsedAfterItEnded() {
    List<TransactionScope<?>> kept = new ArrayList<>();
    engine.execute(resource, named("outer"), o -> kept.add(o));
    TransactionScope<?> ended = kept.get(0);
    assertThrows(IllegalStateException.class, () -> ended.afterCommit(() -> { }));
    assertThrows(IllegalStateException.class, () -> ended.afterRollback(() -> { }));
    assertThrows(IllegalStateException.class, () -> ended.afterCompletion(s -> { }));
    assertThrows(IllegalStateException.class, ended::setRollbackOnly);
    assertThrows(IllegalStateException.class, ended::checkUsable);
  }

  @Test
  void aDoomedAttemptTakesNoSavepoint() {
    SQLException deadlock = new SQLException("deadlock", "40P01");
    assertThrows(RuntimeException.class, () -> engine.execute(resource, named("outer").toBuilder()
        .retry(RetryPolicy.none()).build(), o -> {
          o.observe(deadlock);
          return engine.execute(resource, named("inner"), i -> "x");
        }));
    assertFalse(calls().contains("savepoint 1.1"), calls().toString());
    assertTrue(calls().contains("rollback 1"), calls().toString());
  }
}
