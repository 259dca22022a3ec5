package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.Isolation;
import dev.txkit.Outcome;
import dev.txkit.RetryPolicy;
import dev.txkit.Ticker;
import dev.txkit.TransactionInterruptedException;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Contention control through the engine: a conflict limits the name, a queued call keeps its deadline and
 * interrupts, and the limit reaches listeners and statistics. Each test uses a name of its own (the limits are
 * process-wide).
 */
class ContentionControlTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<TransactionStats> stats = new CopyOnWriteArrayList<>();
  private final AtomicInteger begun = new AtomicInteger();

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  private final TransactionListener listener = new TransactionListener() {
    @Override
    public void onConcurrencyLimit(String transactionName, int limit, int queued) {
      events.add("limit " + limit);
    }

    @Override
    public void onComplete(TransactionStats s) {
      stats.add(s);
    }
  };

  private final TransactionResource<ResourceTransaction> resource = new TransactionResource<>() {
    @Override
    public ResourceTransaction begin(TransactionScope<ResourceTransaction> scope) {
      begun.incrementAndGet();
      return new ResourceTransaction() {
        @Override
        public Object setSavepoint() {
          return "sp";
        }

        @Override
        public void rollbackToSavepoint(Object savepoint) {
        }

        @Override
        public void releaseSavepoint(Object savepoint) {
        }

        @Override
        public void commit() {
        }

        @Override
        public void rollback() {
        }

        @Override
        public void close() {
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
  };

  private final TransactionEngine engine =
      new TransactionEngine(d -> { }, Ticker.system(), () -> 0.0, List.of(listener));

  private static TxOptions options(String name, @Nullable Duration timeout) {
    TxOptions.Builder b = TxOptions.builder().name(name)
        .retry(RetryPolicy.builder().withBackoff(Duration.ZERO, Duration.ZERO).withEscalation(0).build());
    if (timeout != null) {
      b.timeout(timeout);
    }
    return b.build();
  }

  /** Holds an attempt of the name open on another thread until the returned latch is counted down. */
  private CountDownLatch holdOpen(String name) throws InterruptedException {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    pool.submit(() -> engine.execute(resource, options(name, null), ctx -> {
      inside.countDown();
      return release.await(30, TimeUnit.SECONDS);
    }));
    assertTrue(inside.await(10, TimeUnit.SECONDS));
    return release;
  }

  /** With one attempt of the name held open: a second one fails by a stalled conflict, so the limit is 1. */
  private static Gate limitedToOne(String name) throws InterruptedException {
    Gate gate = java.util.Objects.requireNonNull(Limiter.PROCESS.find(name));
    gate.enter(true, false, Ticker.system(), false, 0L);
    gate.leave(true, false, true, Ticker.system(), Ticker.system().read() - AdaptiveLimit.STALL_NANOS);
    assertEquals(1, gate.limit());
    return gate;
  }

  @Test
  void aConflictLimitsTheNameAndTheLimitReachesListenerAndStatistics() throws Exception {
    String name = "cc-limit-" + NAMES.incrementAndGet();
    CountDownLatch release = holdOpen(name);
    AtomicInteger attempts = new AtomicInteger();
    Future<String> b = pool.submit(() -> engine.execute(resource, options(name, null), ctx -> {
      if (attempts.incrementAndGet() == 1) {
        // a stalled conflict (as a deadlock's victim after a lock wait) starts a limit at once
        Thread.sleep(AdaptiveLimit.STALL_NANOS / 1_000_000L + 10);
        throw new SQLException("could not serialize access", "40001");
      }
      return "b";
    }));
    // two ran, one conflicted after a stall: limit 1; the retry waits for the held attempt (or the brake)
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (events.isEmpty() && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertEquals(List.of("limit 1"), events);
    release.countDown();
    assertEquals("b", b.get(10, TimeUnit.SECONDS));
    TransactionStats bs = stats.stream().filter(s -> s.attempts() == 2).findFirst().orElseThrow();
    assertEquals(1, bs.concurrencyLimit());
    assertTrue(bs.queuedNanos() > 0, "the retry queued: " + bs);
  }

  @Test
  void aQueuedCallKeepsItsDeadlineAndBeginsNothing() throws Exception {
    String name = "cc-deadline-" + NAMES.incrementAndGet();
    CountDownLatch release = holdOpen(name);
    Gate gate = limitedToOne(name);
    int before = begun.get();
    TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
        () -> engine.execute(resource, options(name, Duration.ofMillis(200)), ctx -> "never"));
    assertTrue(e.getMessage().contains("while it waited to begin"), e.getMessage());
    assertEquals(before, begun.get(), "no attempt began");
    TransactionStats s = stats.get(stats.size() - 1);
    assertEquals(Outcome.GAVE_UP, s.outcome());
    assertEquals(0, gate.waiting());
    release.countDown();
  }

  @Test
  void aQueuedCallIsInterruptible() throws Exception {
    String name = "cc-interrupt-" + NAMES.incrementAndGet();
    CountDownLatch release = holdOpen(name);
    Gate gate = limitedToOne(name);
    Future<Boolean> f = pool.submit(() -> {
      assertThrows(TransactionInterruptedException.class,
          () -> engine.execute(resource, options(name, null), ctx -> "never"));
      return Thread.currentThread().isInterrupted();
    });
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gate.waiting() == 0 && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    // interrupt the queued thread through its future's thread: cancel would lose the result, so find it
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      for (StackTraceElement el : t.getStackTrace()) {
        if (el.getClassName().equals(Gate.class.getName()) && el.getMethodName().equals("queue")) {
          t.interrupt();
        }
      }
    }
    assertTrue(f.get(10, TimeUnit.SECONDS), "the interrupt flag is set again");
    assertEquals(0, gate.waiting());
    release.countDown();
  }

  @Test
  void transactionsLeftAtTheDefaultNameAreNotLimited() throws Exception {
    String name = TxOptions.DEFAULT_NAME;
    CountDownLatch release = holdOpen(name);
    AtomicInteger attempts = new AtomicInteger();
    assertEquals("b", engine.execute(resource, options(name, null), ctx -> {
      if (attempts.incrementAndGet() == 1) {
        throw new SQLException("could not serialize access", "40001");
      }
      return "b";
    }));
    assertEquals(List.of(), events);
    Gate gate = Limiter.PROCESS.find(name);
    assertTrue(gate == null || gate.limit() == 0);
    assertNull(stats.stream().filter(s -> s.concurrencyLimit() != 0).findFirst().orElse(null));
    release.countDown();
  }

  @Test
  void withContentionControlOffNoGateIsUsed() throws Exception {
    String name = "cc-off-" + NAMES.incrementAndGet();
    TxOptions off = TxOptions.builder().name(name).retry(RetryPolicy.builder().withContentionControl(false)
        .withEscalation(0).build()).build();
    engine.execute(resource, off, ctx -> "x");
    assertNull(Limiter.PROCESS.find(name));
  }
}
