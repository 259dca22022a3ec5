package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The limit's maths on a fake clock: time is a number the test advances. */
class AdaptiveLimitTest {

  private static final long MS = 1_000_000L;

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

  @Test
  void commitsAloneNeverSetALimit() {
    assertEquals(0, commits(10_000, MS));
  }

  @Test
  void theFirstConflictLimitsToHalfTheAttemptsRunning() {
    assertEquals(8, limit.conflict(now, MS, 16));
    assertEquals(1, new AdaptiveLimit().conflict(now, MS, 2));
    assertEquals(1, new AdaptiveLimit().conflict(now, MS, 1));
  }

  @Test
  void aWindowThatWastesMoreThanAQuarterDecreasesInProportionDownToOne() {
    limit.conflict(now, MS, 16);
    // window of 16 attempts (2 x limit): 5 conflicts of 1 ms, 11 commits of 1 ms: 5/16 wasted
    for (int i = 0; i < 4; i++) {
      limit.conflict(now, MS, 8);
    }
    assertEquals(5, commits(11, MS), "8 * (1 - 5/16), rounded down");
    int l = 6;
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 4; i++) {
        l = limit.conflict(now, MS, l);
      }
      l = commits(Math.max(AdaptiveLimit.MIN_WINDOW, 2 * l) - 4, MS);
    }
    assertEquals(1, l, "floor 1");
  }

  @Test
  void aDecreaseIsToTheShareNotWastedAndAtLeastOneLess() {
    limit.conflict(now, MS, 32); // 16
    for (int i = 0; i < 8; i++) {
      limit.conflict(now, MS, 16);
    }
    assertEquals(11, commits(23, MS), "9/32 wasted: 16 * 23/32, rounded down");
    AdaptiveLimit two = new AdaptiveLimit();
    two.conflict(now, MS, 4);
    for (int i = 0; i < 2; i++) {
      two.conflict(now, MS, 2);
    }
    long t = now;
    for (int i = 0; i < 5; i++) {
      t += MS;
      two.committed(t, MS);
    }
    assertEquals(1, two.limit(), "3/8 wasted at limit 2: 2 * 5/8 rounds to 1, one less");
  }

  @Test
  void aCostlyWindowClosesEarlyAndCutsInProportion() {
    limit.conflict(now, MS, 16); // 8
    now += 1_000 * MS;
    assertEquals(1, limit.conflict(now, 1_000 * MS, 8), "a deadlock's second: closed after 2 attempts, 8 -> 1");
  }

  @Test
  void aWindowWithLittleWasteWhileAttemptsQueueIncreasesByOne() {
    limit.conflict(now, MS, 8); // limit 4, the conflict opens a window: 1 ms wasted
    limit.queued();
    assertEquals(4, commits(6, MS), "window of 8 not over yet");
    assertEquals(4, commits(1, MS), "1/8 wasted: between the thresholds, no change");
    limit.queued();
    assertEquals(5, commits(10, MS), "nothing wasted and attempts queued: one more");
  }

  @Test
  void anExpensiveConflictHoldsTheLimitForTenTimesTheTimeItWasted() {
    limit.conflict(now, MS, 4); // limit 2
    limit.conflict(now, 1_000 * MS, 2); // a deadlock's victim: a second wasted
    assertEquals(1, commits(6, MS), "the window wasted nearly all its time");
    // 10 s hold: windows that waste nothing and queue do not increase the limit meanwhile
    for (int w = 0; w < 100; w++) {
      limit.queued();
      assertEquals(1, commits(8, 10 * MS), "held at " + (now / MS) + " ms");
    }
    now += 9 * 1_000 * MS; // past the hold
    limit.queued();
    assertEquals(2, commits(8, MS));
    // the same again: the hold doubles to 20 s
    limit.conflict(now, 1_000 * MS, 2);
    assertEquals(1, limit.limit());
    now += 15 * 1_000 * MS;
    limit.queued();
    assertEquals(1, commits(8, MS), "still held after 15 s");
    now += 6 * 1_000 * MS;
    limit.queued();
    assertEquals(2, commits(8, MS), "free after 20 s");
  }

  @Test
  void cheapConflictsAmongLongCommitsDoNotDecrease() {
    limit.conflict(now, MS, 8); // limit 4
    commits(7, MS); // close the first window
    for (int w = 0; w < 5; w++) {
      int window = Math.max(AdaptiveLimit.MIN_WINDOW, 2 * limit.limit());
      limit.conflict(now, MS, limit.limit());
      limit.queued();
      commits(window - 1, 20 * MS);
    }
    assertEquals(4 + 5, limit.limit(), "one 1 ms conflict per window of 20 ms commits is below the low threshold");
  }

  @Test
  void threeQuietWindowsWithNobodyQueuedLiftTheLimit() {
    limit.conflict(now, MS, 8); // limit 4
    commits(7, MS);
    assertEquals(4, limit.limit(), "first window had the conflict: 1/8 wasted, no change");
    assertEquals(4, commits(16, MS));
    assertEquals(0, commits(8, MS), "third quiet window without queueing");
    assertEquals(0, commits(1_000, MS));
  }

  @Test
  void queueingResetsTheQuietCount() {
    limit.conflict(now, MS, 2); // limit 1
    commits(7, MS);
    commits(16, MS); // two quiet windows
    limit.queued();
    assertEquals(2, commits(8, MS), "queued: increased instead of lifted");
    assertEquals(2, commits(16, MS));
    assertEquals(0, commits(8, MS));
  }
}
