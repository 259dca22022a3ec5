package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The limit's maths on a fake clock: time is a number the test advances. */
class AdaptiveLimitTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;
  /** An attempt's time: 8 of them span more than a window's shortest time. */
  private static final long T = 10 * MS;

  private final AdaptiveLimit limit = new AdaptiveLimit();
  private long now = 1_000 * MS;

  private int commits(int n, long nanosEach) {
    int l = limit.limit();
    for (int i = 0; i < n; i++) {
      now += nanosEach;
      l = limit.committed(now, nanosEach);
    }
    return l;
  }

  private int conflicts(int n, long nanosEach, int running) {
    int l = limit.limit();
    for (int i = 0; i < n; i++) {
      now += nanosEach;
      l = limit.conflict(now, nanosEach, running);
    }
    return l;
  }

  /** A burst of quick conflicts: the limit starts; its first window holds the last one (10 ms wasted). */
  private int burst(int running) {
    assertEquals(0, conflicts(AdaptiveLimit.BURST - 1, T, running));
    return conflicts(1, T, running);
  }

  @Test
  void commitsAloneNeverSetALimit() {
    assertEquals(0, commits(10_000, T));
  }

  @Test
  void occasionalQuickConflictsSetNoLimit() {
    for (int i = 0; i < 1_000; i++) {
      commits(19, T);
      assertEquals(0, conflicts(1, T, 16), "one conflict in 20 ms, at " + i);
    }
  }

  @Test
  void aBurstOfConflictsLimitsToHalfTheAttemptsRunning() {
    assertEquals(8, burst(16));
    AdaptiveLimit two = new AdaptiveLimit();
    for (int i = 0; i < AdaptiveLimit.BURST; i++) {
      now += T;
      two.conflict(now, T, 2);
    }
    assertEquals(1, two.limit());
  }

  @Test
  void oneStalledConflictLimitsAtOnce() {
    assertEquals(2, limit.conflict(now, AdaptiveLimit.STALL_NANOS, 4));
  }

  @Test
  void cheapConflictsDecreaseOnlyWhenTheyWasteMostOfTheTime() {
    assertEquals(8, burst(16));
    // window of 16 (2 x limit): 9 more conflicts and 6 commits of 1 ms: 10/16 wasted, more than 0.6
    conflicts(9, T, 8);
    assertEquals(3, commits(6, T), "8 * (1 - 10/16), rounded down");
    // windows of 8: half wasted, between the lenient thresholds: no change
    for (int w = 0; w < 5; w++) {
      limit.queued();
      conflicts(4, T, 3);
      assertEquals(3, commits(4, T));
    }
    // a fifth wasted while attempts queue: one more
    limit.queued();
    conflicts(1, T, 3);
    assertEquals(4, commits(7, T));
  }

  @Test
  void aStalledWindowThatWastesMoreThanAQuarterDecreasesInProportionDownToOne() {
    assertEquals(8, burst(16));
    commits(15, T); // close the first window (16 attempts at limit 8): 1/16 wasted, no change
    assertEquals(8, limit.limit());
    // a stalled conflict opening a window closes it at the next attempt: 100 ms of 500 wasted, less than a quarter
    conflicts(1, AdaptiveLimit.STALL_NANOS, 8);
    assertEquals(8, commits(1, 400 * MS));
    // 150 ms of 430: decrease to 8 * (1 - 150/430)
    conflicts(1, 150 * MS, 8);
    assertEquals(5, commits(1, 280 * MS));
  }

  @Test
  void anExpensiveConflictHoldsTheLimitForTenTimesTheTimeItWastedThenTwenty() {
    assertEquals(2, limit.conflict(now, SECOND, 4)); // a deadlock's victim: a second wasted
    assertEquals(1, commits(1, T), "the window closed early: it wasted nearly all its time");
    // 10 s hold: windows that waste nothing and queue do not increase the limit meanwhile
    for (int w = 0; w < 100; w++) {
      limit.queued();
      assertEquals(1, commits(8, 10 * MS), "held at " + (now / MS) + " ms");
    }
    now += 9 * SECOND; // past the hold
    limit.queued();
    assertEquals(2, commits(8, T));
    // the same again: the hold doubles to 20 s
    limit.conflict(now, SECOND, 2);
    assertEquals(1, commits(1, T));
    now += 15 * SECOND;
    limit.queued();
    assertEquals(1, commits(8, T), "still held after 15 s");
    now += 6 * SECOND;
    limit.queued();
    assertEquals(2, commits(8, T), "free after 20 s");
  }

  @Test
  void theLimitRisesByAtMostOnePerFiftyMilliseconds() {
    assertEquals(8, burst(16));
    commits(15, T); // the first window: 10 ms of 160 wasted
    for (int i = 0; i < 10_000; i++) { // a second of commits of 0.1 ms, attempts queued all along
      now += 100_000L;
      limit.queued();
      limit.committed(now, 100_000L);
    }
    int l = limit.limit();
    assertTrue(l > 8 && l <= 8 + 20, "rose to " + l + " in a second (by window size alone it would be about 100)");
  }

  @Test
  void threeQuietWindowsWithNobodyQueuedLiftTheLimit() {
    assertEquals(4, burst(8));
    assertEquals(4, commits(7, T), "first quiet window (1/8 wasted: quick conflicts count as quiet)");
    assertEquals(4, commits(8, T));
    assertEquals(0, commits(8, T), "third quiet window without queueing");
    assertEquals(0, commits(1_000, T));
  }

  @Test
  void queueingResetsTheQuietCount() {
    assertEquals(1, burst(2));
    commits(7, T);
    commits(8, T); // two quiet windows
    limit.queued();
    assertEquals(2, commits(8, T), "queued: increased instead of lifted");
    assertEquals(2, commits(16, T));
    assertEquals(0, commits(8, T));
  }
}
