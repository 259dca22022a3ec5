package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Ticker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Admission at one name's gate, with real threads. */
class GateTest {

  private final Ticker ticker = Ticker.system();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  private long enter(Gate g) throws InterruptedException {
    return g.enter(true, false, ticker, false, 0L);
  }

  /** Two attempts run, one fails by a conflict: the limit becomes 1, and one attempt still runs. */
  private Gate limitedToOneWithOneRunning() throws InterruptedException {
    Gate g = new Gate();
    enter(g);
    enter(g);
    assertEquals(1, g.leave(true, false, true, ticker, ticker.read() - AdaptiveLimit.STALL_NANOS));
    assertEquals(1, g.limit());
    assertEquals(1, g.running());
    return g;
  }

  private static void awaitWaiting(Gate g, int n) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (g.waiting() != n && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertEquals(n, g.waiting());
  }

  @Test
  void withoutALimitNobodyWaits() throws InterruptedException {
    // what the uncontended path allocates is measured with the other per-transaction costs in the benchmarks
    Gate g = new Gate();
    long waited = 0;
    for (int i = 0; i < 10_000; i++) {
      waited += enter(g);
      waited += enter(g);
      g.leave(true, false, false, ticker, 0L);
      g.leave(true, false, false, ticker, 0L);
    }
    assertEquals(0, waited);
    assertEquals(0, g.running());
    assertEquals(0, g.limit());
  }

  @Test
  void atTheLimitAttemptsQueueAndAreLetInFirstComeFirstServed() throws Exception {
    Gate g = limitedToOneWithOneRunning();
    List<Integer> order = new CopyOnWriteArrayList<>();
    Future<?>[] waiters = new Future<?>[3];
    for (int i = 0; i < 3; i++) {
      int who = i;
      waiters[i] = pool.submit(() -> {
        assertTrue(enter(g) > 0, "queued");
        order.add(who);
        g.leave(true, false, false, ticker, ticker.read() - 1_000L);
        return null;
      });
      awaitWaiting(g, i + 1); // queue in a known order
    }
    assertEquals(List.of(), order, "nobody let in while the slot is held");
    g.leave(true, false, false, ticker, ticker.read() - 1_000L);
    for (Future<?> f : waiters) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertEquals(List.of(0, 1, 2), order);
    assertEquals(0, g.running());
    assertEquals(0, g.waiting());
  }

  @Test
  void aQueuedAttemptStopsWaitingAtItsDeadline() throws Exception {
    Gate g = limitedToOneWithOneRunning();
    long deadline = ticker.read() + TimeUnit.MILLISECONDS.toNanos(100);
    assertEquals(Gate.TIMED_OUT, g.enter(true, false, ticker, true, deadline));
    assertEquals(0, g.waiting());
    assertEquals(1, g.running(), "the timed-out attempt is not counted as running");
  }

  @Test
  void aQueuedAttemptIsInterruptible() throws Exception {
    Gate g = limitedToOneWithOneRunning();
    Future<?> f = pool.submit(() -> assertThrows(InterruptedException.class, () -> enter(g)));
    awaitWaiting(g, 1);
    f.cancel(true);
    awaitWaiting(g, 0);
    assertEquals(1, g.running());
  }

  @Test
  void theLimitIsABrakeNotALockTheHeadIsLetInAfterASecond() throws Exception {
    Gate g = limitedToOneWithOneRunning(); // the one running never leaves
    long start = System.nanoTime();
    assertTrue(enter(g) >= Gate.BRAKE_NANOS * 9 / 10);
    long waited = System.nanoTime() - start;
    assertTrue(waited < 5 * Gate.BRAKE_NANOS, "let in after " + waited / 1_000_000 + " ms");
    assertEquals(2, g.running());
  }

  @Test
  void anEscalatedAttemptWaitsForAllAndNoneEntersBesideIt() throws Exception {
    Gate g = new Gate();
    g.enter(false, false, ticker, false, 0L); // a fresh attempt runs (contention control off for it)
    Future<Long> escalated = pool.submit(() -> g.enter(false, true, ticker, false, 0L));
    awaitWaiting(g, 1);
    Future<Long> fresh = pool.submit(() -> g.enter(false, false, ticker, false, 0L));
    awaitWaiting(g, 2);
    g.leave(false, false, false, ticker, ticker.read() - 1L);
    assertTrue(escalated.get(10, TimeUnit.SECONDS) > 0);
    Thread.sleep(50);
    assertEquals(1, g.waiting(), "the fresh attempt waits while the escalated one runs");
    g.leave(false, true, false, ticker, ticker.read() - 1L);
    assertTrue(fresh.get(10, TimeUnit.SECONDS) > 0);
    assertEquals(1, g.running());
  }
}
