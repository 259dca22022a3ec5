package dev.txkit.internal;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission of one transaction name's attempts, before {@code begin}: at most {@linkplain AdaptiveLimit the
 * limit} run at once, the others wait in a first-come-first-served queue holding no connection and no database
 * lock. An escalated attempt waits until none of the name's attempts runs, and runs alone.
 *
 * <p>Without a limit, no escalated attempt and nobody queued (the uncontended case), entering and leaving are a
 * few volatile reads and one atomic increment and decrement: no lock, no allocation.
 *
 * <p>The limit is a brake, not a lock (escalation is exact): when the attempts holding the slots are stuck (a lock wait, a commit whose
 * outcome is being resolved, a slow callback), the first in the queue is let in after {@link #BRAKE_NANOS}, then
 * the next one a further {@link #BRAKE_NANOS} later, and so on, so a stalled name still moves.
 */
final class Gate {

  /** How long the first in the queue waits before it is let in over the limit. */
  static final long BRAKE_NANOS = 1_000_000_000L;

  /** What a waiting attempt learns when it is let in. */
  static final long TIMED_OUT = -1L;

  private final AtomicInteger running = new AtomicInteger();
  /** The adaptive limit's value, 0 for none; written under {@link #lock}. */
  private volatile int limit;
  /** Waiters in {@link #queue}; written under {@link #lock}. */
  private volatile int waiting;
  /** Whether an escalated attempt runs; written under {@link #lock}. */
  private volatile boolean exclusive;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private final AdaptiveLimit maths = new AdaptiveLimit();
  /** When the queue's head last moved, for the brake. */
  private long headSince;

  private static final class Waiter {
    final boolean escalated;
    final boolean limited;
    /** Signalled when it may have become admissible: only the head of the queue is woken, no herd. */
    final Condition turn;

    Waiter(boolean escalated, boolean limited, Condition turn) {
      this.escalated = escalated;
      this.limited = limited;
      this.turn = turn;
    }
  }

  /** Under the lock: wakes the head of the queue, if any. */
  private void wakeHead() {
    Waiter head = queue.peekFirst();
    if (head != null) {
      head.turn.signal();
    }
  }

  /** @return the current limit, 0 for none */
  int limit() {
    return limit;
  }

  /** @return attempts waiting to be let in */
  int waiting() {
    return waiting;
  }

  /** @return attempts running */
  int running() {
    return running.get();
  }

  /** @return whether nothing runs, waits or is limited: the gate may be dropped */
  boolean idle() {
    return running.get() == 0 && waiting == 0 && limit == 0;
  }

  /**
   * Lets an attempt in, waiting if it must.
   *
   * @param limited whether the adaptive limit applies to it (its call has contention control on)
   * @param escalated whether it must run alone
   * @param ticker reads time
   * @param hasDeadline whether {@code deadline} applies
   * @param deadline when to stop waiting, in ticker time
   * @return nanoseconds waited (0 when it did not queue), or {@link #TIMED_OUT}
   * @throws InterruptedException if interrupted while queued (it is then no longer queued)
   */
  long enter(boolean limited, boolean escalated, dev.txkit.Ticker ticker, boolean hasDeadline, long deadline)
      throws InterruptedException {
    if (!escalated && waiting == 0 && !exclusive && tryRun(limited ? limit : 0)) {
      if (!exclusive) {
        return 0L;
      }
      // an escalated attempt took the gate meanwhile: step back and queue behind it
      leaveQuietly();
    }
    return queue(limited, escalated, ticker, hasDeadline, deadline);
  }

  private boolean tryRun(int max) {
    for (;;) {
      int r = running.get();
      if (max != 0 && r >= max) {
        return false;
      }
      if (running.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  private long queue(boolean limited, boolean escalated, dev.txkit.Ticker ticker, boolean hasDeadline,
      long deadline) throws InterruptedException {
    long start = ticker.read();
    Waiter w = new Waiter(escalated, limited, lock.newCondition());
    lock.lock();
    try {
      if (queue.isEmpty()) {
        headSince = start;
      }
      queue.addLast(w);
      waiting = queue.size();
      if (limited) {
        maths.queued();
      }
      try {
        for (;;) {
          long now = ticker.read();
          boolean head = queue.peekFirst() == w;
          int verdict = head ? admit(w, now) : BLOCKED;
          if (verdict == ADMITTED) {
            queue.pollFirst();
            waiting = queue.size();
            headSince = now;
            wakeHead();
            return Math.max(1L, now - start);
          }
          if (hasDeadline && now - deadline >= 0) {
            return TIMED_OUT;
          }
          // only the limit brakes; behind an escalated attempt (or as one) wait until signalled
          long wait = verdict == LIMITED ? headSince + BRAKE_NANOS - now : Long.MAX_VALUE;
          if (hasDeadline) {
            wait = Math.min(wait, deadline - now);
          }
          if (wait == Long.MAX_VALUE) {
            w.turn.await();
          } else {
            w.turn.await(Math.max(wait, 1L), TimeUnit.NANOSECONDS);
          }
        }
      } finally {
        boolean wasHead = queue.peekFirst() == w;
        if (queue.remove(w)) {
          // timed out or interrupted: the next one may be admissible now
          waiting = queue.size();
          if (wasHead) {
            headSince = ticker.read();
            wakeHead();
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static final int ADMITTED = 0;
  /** Held back by the limit: the brake applies. */
  private static final int LIMITED = 1;
  /** Held back by an escalated attempt, or escalated and others run; or not the head of the queue. */
  private static final int BLOCKED = 2;

  /**
   * Under the lock: whether the head of the queue may run now, and if so counts it in. Escalation is exact (an
   * escalated attempt waits for every running attempt of the name); only the adaptive limit brakes.
   */
  private int admit(Waiter w, long now) {
    if (exclusive) {
      return BLOCKED;
    }
    if (w.escalated) {
      // announce first, then look: an attempt entering by the fast path counts itself in first, then looks
      exclusive = true;
      if (running.get() != 0) {
        exclusive = false;
        return BLOCKED;
      }
      running.incrementAndGet();
      return ADMITTED;
    }
    int max = w.limited ? limit : 0;
    boolean braked = now - headSince - BRAKE_NANOS >= 0;
    return tryRun(braked ? 0 : max) ? ADMITTED : LIMITED;
  }

  /**
   * Lets an attempt out and feeds the limit what it did.
   *
   * @param limited whether its call has contention control on
   * @param escalated whether it ran alone
   * @param conflict whether it failed by conflicting with another attempt
   * @param ticker reads time, only when the attempt's duration is needed (not on the uncontended path)
   * @param entered when it was let in, in ticker time
   * @return the new limit if it changed, else -1
   */
  int leave(boolean limited, boolean escalated, boolean conflict, dev.txkit.Ticker ticker, long entered) {
    int r = running.getAndDecrement();
    if (!escalated && waiting == 0 && (!limited || limit == 0 && !conflict)) {
      return -1;
    }
    lock.lock();
    try {
      if (escalated) {
        exclusive = false;
      }
      int before = limit;
      if (limited) {
        long now = ticker.read();
        limit = conflict ? maths.conflict(now, now - entered, r) : maths.committed(now, now - entered);
      }
      wakeHead();
      return limit != before ? limit : -1;
    } finally {
      lock.unlock();
    }
  }

  private void leaveQuietly() {
    running.decrementAndGet();
    if (waiting != 0) {
      lock.lock();
      try {
        wakeHead();
      } finally {
        lock.unlock();
      }
    }
  }
}
