package dev.txkit.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Contention control by escalation: one fair read-write lock per transaction name. Fresh attempts share it
 * (read), escalated attempts take it alone (write). Taken before {@code begin}, when the thread holds no
 * database locks, so waiting for it cannot deadlock with the database.
 *
 * <p>Bounded: past {@link #MAX_NAMES} names, the lanes nobody holds or waits for are dropped before a new one is
 * added, so a program that makes up transaction names does not grow the map forever. A lane dropped while a
 * thread is about to lock it only weakens escalation for that moment.
 */
final class Lanes {

  static final int MAX_NAMES = 1024;

  /**
   * The lanes of this process (of this class loader): shared by every engine, so that escalation works across the
   * {@code Transactions} instances of an application (one per database node, say).
   */
  static final Lanes PROCESS = new Lanes();

  private final ConcurrentHashMap<String, ReentrantReadWriteLock> lanes = new ConcurrentHashMap<>();

  /**
   * Enters the lane of a name, waiting as long as it takes.
   *
   * @param name the transaction name
   * @param escalated whether the attempt runs alone among the name's attempts
   * @return the lock held, to unlock when the attempt ends
   */
  Lock enter(String name, boolean escalated) {
    ReentrantReadWriteLock lane = lanes.get(name);
    if (lane == null) {
      if (lanes.size() >= MAX_NAMES) {
        lanes.values().removeIf(l -> !l.isWriteLocked() && l.getReadLockCount() == 0 && !l.hasQueuedThreads());
      }
      lane = lanes.computeIfAbsent(name, n -> new ReentrantReadWriteLock(true));
    }
    Lock lock = escalated ? lane.writeLock() : lane.readLock();
    lock.lock();
    return lock;
  }

  /** @return how many lanes exist, for tests */
  int size() {
    return lanes.size();
  }
}
