package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.Isolation;
import dev.txkit.RetryPolicy;
import dev.txkit.Ticker;
import dev.txkit.TxOptions;
import dev.txkit.spi.CommitResolution;
import dev.txkit.spi.ResourceTransaction;
import dev.txkit.spi.TransactionEngine;
import dev.txkit.spi.TransactionResource;
import dev.txkit.spi.TransactionScope;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Escalated attempts run alone among the attempts of their transaction name; fresh ones share the lane. */
class EscalationTest {

  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final List<String> log = new CopyOnWriteArrayList<>();

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  /** A thread-safe resource whose attempts do nothing but log. */
  private final class Resource implements TransactionResource<ResourceTransaction> {
    @Override
    public ResourceTransaction begin(TransactionScope<ResourceTransaction> scope) {
      String who = Thread.currentThread().getName() + " " + scope.attempt();
      log.add("begin " + who);
      return new ResourceTransaction() {
        @Override
        public Object setSavepoint() {
          log.add("savepoint " + who);
          return who;
        }

        @Override
        public void rollbackToSavepoint(Object savepoint) {
          log.add("rollback to savepoint " + who);
        }

        @Override
        public void releaseSavepoint(Object savepoint) {
          log.add("release savepoint " + who);
        }

        @Override
        public void commit() {
          log.add("commit " + who);
        }

        @Override
        public void rollback() {
          log.add("rollback " + who);
        }

        @Override
        public void close() {
          log.add("close " + who);
        }
      };
    }

    @Override
    public Isolation defaultIsolation() {
      return Isolation.READ_COMMITTED;
    }

    @Override
    public Classification classify(Throwable failure) {
      return failure instanceof SQLException
          ? new Classification(FailureKind.SERIALIZATION_FAILURE, FailureScope.TRANSACTION)
          : Classification.UNRECOGNISED;
    }
  }

  private TransactionEngine engine() {
    return new TransactionEngine(d -> { }, Ticker.system(), () -> 0.0, List.of());
  }

  private static TxOptions options(int escalateAfter) {
    return TxOptions.builder().name("transfer").retry(RetryPolicy.builder().withMaxAttempts(5)
        .withBackoff(Duration.ZERO, Duration.ZERO).withEscalation(escalateAfter).build()).build();
  }

  /** Runs A (holds a fresh attempt open until released) and B (fails once, then needs a second attempt). */
  private void race(TransactionEngine engine, int escalateAfter, boolean expectBWaits) throws Exception {
    race(engine, engine, escalateAfter, expectBWaits);
  }

  private void race(TransactionEngine engineA, TransactionEngine engineB, int escalateAfter, boolean expectBWaits)
      throws Exception {
    Resource resource = new Resource();
    CountDownLatch aInside = new CountDownLatch(1);
    CountDownLatch releaseA = new CountDownLatch(1);
    Future<String> a = pool.submit(() -> {
      Thread.currentThread().setName("A");
      return engineA.execute(resource, options(escalateAfter), ctx -> {
        aInside.countDown();
        assertTrue(releaseA.await(10, TimeUnit.SECONDS));
        return "a";
      });
    });
    assertTrue(aInside.await(10, TimeUnit.SECONDS));
    AtomicReference<Thread> bThread = new AtomicReference<>();
    Future<String> b = pool.submit(() -> {
      Thread.currentThread().setName("B");
      bThread.set(Thread.currentThread());
      return engineB.execute(resource, options(escalateAfter), ctx -> {
        if (ctx.attempt() == 1) {
          throw new SQLException("could not serialize access", "40001");
        }
        return "b";
      });
    });
    if (expectBWaits) {
      // B's first attempt failed; its escalated second attempt must wait for A's attempt to end
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!(log.contains("close B 1") && bThread.get() != null
          && bThread.get().getState() == Thread.State.WAITING) && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      assertEquals(Thread.State.WAITING, bThread.get().getState());
      assertTrue(!log.contains("begin B 2"), "the escalated attempt began while a fresh one was running: " + log);
      releaseA.countDown();
      assertEquals("b", b.get(10, TimeUnit.SECONDS));
      assertEquals("a", a.get(10, TimeUnit.SECONDS));
      assertTrue(log.indexOf("close A 1") < log.indexOf("begin B 2"), log.toString());
    } else {
      assertEquals("b", b.get(10, TimeUnit.SECONDS));
      assertTrue(log.contains("begin B 2") && !log.contains("close A 1"),
          "without escalation B's retry runs beside A: " + log);
      releaseA.countDown();
      assertEquals("a", a.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void anEscalatedAttemptWaitsUntilNoOtherAttemptOfItsNameRuns() throws Exception {
    race(engine(), 1, true);
  }

  @Test
  void escalationHoldsAcrossEnginesOfTheSameProcess() throws Exception {
    // e.g. one Transactions per database node: an escalated attempt still runs alone among the name's attempts
    race(engine(), engine(), 1, true);
  }

  @Test
  void withoutEscalationRetriesRunBesideOtherAttempts() throws Exception {
    race(engine(), 0, false);
  }

  @Test
  void freshAttemptsOfOneNameRunSideBySide() throws Exception {
    // escalation after 3 failures: B's second attempt is still fresh and does not wait for A
    race(engine(), 3, false);
  }

  @Test
  void aNestedCallOnTheSameThreadDoesNotWaitForItsOwnLane() throws SQLException {
    TransactionEngine engine = engine();
    Resource resource = new Resource();
    String result = engine.execute(resource, options(1), ctx -> {
      if (ctx.attempt() == 1) {
        throw new SQLException("could not serialize access", "40001");
      }
      // escalated outer attempt holds the lane exclusively; an inner call of the same name must not block
      return engine.execute(resource, options(1), ictx -> "inner");
    });
    assertEquals("inner", result);
  }
}
