package dev.txkit.internal;

/**
 * The maths of contention control for one transaction name: how many of its attempts may run at once. Pure and
 * single-threaded (its {@link Gate} guards it); time is passed in, so tests drive it with a fake clock.
 *
 * <p>No limit until conflicts (serialization failures, deadlocks) come in a burst ({@link #BURST} within
 * {@link #BURST_NANOS}) or one of them stalled; then the limit starts at half the attempts running at that moment, and is adjusted once per window of finished attempts by the share of attempt
 * time the window wasted in conflicts. A window with a stalled conflict (one that ran {@link #STALL_NANOS} or
 * more: a lock wait ended by deadlock detection) is judged strictly:
 * <ul>
 *   <li>more than {@link #HIGH_WASTE}: multiplicative decrease in proportion to the waste (to the share of time
 *       not wasted, so to less than three quarters, and at least one less; floor 1), and a hold: no increase for a
 *       multiple of the time the window wasted, 10 times at first, doubled each time a hold is needed again
 *       (at most {@link #MAX_HOLD_NANOS});
 *   <li>less than {@link #LOW_WASTE} while attempts queued in the window (the limit was what held them back), and
 *       no hold: additive increase by one;
 *   <li>less than {@link #LOW_WASTE} for {@link #QUIET_WINDOWS} windows in a row with nobody queued: no limit
 *       again.
 * </ul>
 * A window whose conflicts were all quick (serialization failures, InnoDB's instantly detected deadlocks) is
 * judged leniently: it decreases (in proportion, without a hold) only above {@link #CHEAP_HIGH_WASTE}, and
 * increases below {@link #CHEAP_LOW_WASTE}: cheap conflicts at a higher limit often still commit more per second
 * than a lower limit without them (measured: PostgreSQL SERIALIZABLE transfers in key order, 4 threads, 1.78
 * attempts per commit without a limit committed twice what limit 1 did).
 * Weighing by time rather than counting failures makes one PostgreSQL deadlock (whose victims wait
 * {@code deadlock_timeout}, 1 s by default) weigh as much as it costs, and a cheap serialization failure as
 * little; the hold keeps the limit from probing straight back into a conflict that costly (a deadlock's second
 * is paid back only by seconds at the safer limit), and its doubling makes a limit that keeps running into such
 * conflicts probe ever more rarely. A window with a stalled conflict closes at its next attempt: a deadlock's
 * victims should not have to wait for a full window of them. Otherwise a window lasts at least
 * {@link #MIN_WINDOW_NANOS}, so that the limit rises by at most one per window, as TCP's by one per round trip.
 */
final class AdaptiveLimit {

  /** Share of attempt time wasted in conflicts above which the limit decreases. */
  static final double HIGH_WASTE = 0.25;
  /** Share of attempt time wasted in conflicts below which the limit may increase. */
  static final double LOW_WASTE = 0.08;
  /** Windows without waste and without queueing after which the limit is lifted. */
  static final int QUIET_WINDOWS = 3;
  /** How many times a costly window's wasted time the limit is first held before it may increase again. */
  static final int HOLD_FACTOR = 10;
  /** The longest hold. */
  static final long MAX_HOLD_NANOS = 60_000_000_000L;
  /** A conflicting attempt that ran this long was stalled (a lock wait ended by deadlock detection, say). */
  static final long STALL_NANOS = 100_000_000L;
  /** Waste above which a window without a stalled conflict decreases the limit. */
  static final double CHEAP_HIGH_WASTE = 0.6;
  /** Waste below which a window without a stalled conflict may increase the limit. */
  static final double CHEAP_LOW_WASTE = 0.3;
  /** Conflicts within {@link #BURST_NANOS} that start a limit (one stalled conflict does too). */
  static final int BURST = 8;
  /** See {@link #BURST}. */
  static final long BURST_NANOS = 100_000_000L;
  /** Shortest window: the limit changes by at most one per this time while nothing stalls (as TCP per round trip). */
  static final long MIN_WINDOW_NANOS = 50_000_000L;
  /** Smallest window, in finished attempts. */
  static final int MIN_WINDOW = 8;

  /** The limit, or 0 for none. */
  private int limit;
  private int attempts;
  private long windowStart;
  private long attemptNanos;
  private long wastedNanos;
  private boolean queued;
  private boolean stalled;
  /** The times of the last {@link #BURST} conflicts while there is no limit (a ring). */
  private final long[] recent = new long[BURST];
  private int recentCount;
  private int quietWindows;
  private boolean holding;
  private long holdUntil;
  private long holdFactor = HOLD_FACTOR;

  /** @return the limit, 0 for none */
  int limit() {
    return limit;
  }

  /** Records that an attempt had to queue (the limit held it back). */
  void queued() {
    queued = true;
  }

  /**
   * Records a failed attempt that conflicted with another (serialization failure, deadlock).
   *
   * @param now the time
   * @param nanos how long the attempt ran
   * @param running attempts of the name running when it failed, itself included
   * @return the limit, 0 for none
   */
  int conflict(long now, long nanos, int running) {
    if (limit == 0) {
      recent[recentCount % BURST] = now;
      recentCount++;
      // the slot written next holds the oldest of the last BURST conflicts
      boolean burst = recentCount >= BURST && now - recent[recentCount % BURST] < BURST_NANOS;
      if (!burst && nanos < STALL_NANOS) {
        // an occasional quick conflict: retrying it costs less than limiting everyone
        return 0;
      }
      limit = Math.max(1, running / 2);
      recentCount = 0;
      resetWindow(now);
    }
    wastedNanos += Math.max(nanos, 1);
    if (nanos >= STALL_NANOS) {
      stalled = true;
    }
    return finished(now, nanos);
  }

  /**
   * Records a committed attempt (or any other attempt that did not conflict).
   *
   * @param now the time
   * @param nanos how long the attempt ran
   * @return the limit, 0 for none
   */
  int committed(long now, long nanos) {
    if (limit == 0) {
      return 0;
    }
    return finished(now, nanos);
  }

  private int finished(long now, long nanos) {
    attempts++;
    attemptNanos += Math.max(nanos, 1);
    boolean full = attempts >= Math.max(MIN_WINDOW, 2 * limit) && now - windowStart >= MIN_WINDOW_NANOS;
    if (!full && !(stalled && attempts >= 2)) {
      return limit;
    }
    double waste = (double) wastedNanos / attemptNanos;
    double high = stalled ? HIGH_WASTE : CHEAP_HIGH_WASTE;
    double low = stalled ? LOW_WASTE : CHEAP_LOW_WASTE;
    if (waste > high) {
      limit = Math.max(1, Math.min(limit - 1, (int) (limit * (1.0 - waste))));
      quietWindows = 0;
      if (stalled) {
        // only a stall holds the limit down: cheap conflicts cost what they measure
        long until = now + Math.min(MAX_HOLD_NANOS, holdFactor * wastedNanos);
        if (!holding || until - holdUntil > 0) {
          holdUntil = until;
        }
        holding = true;
        holdFactor = Math.min(holdFactor * 2, 1L << 20);
      }
    } else if (waste < low) {
      if (holding && now - holdUntil >= 0) {
        holding = false;
      }
      if (queued) {
        if (!holding) {
          limit++;
        }
        quietWindows = 0;
      } else if (++quietWindows >= QUIET_WINDOWS) {
        return lift(now);
      }
    } else {
      quietWindows = 0;
    }
    resetWindow(now);
    return limit;
  }

  private int lift(long now) {
    limit = 0;
    quietWindows = 0;
    holding = false;
    holdFactor = HOLD_FACTOR;
    resetWindow(now);
    return 0;
  }

  private void resetWindow(long now) {
    windowStart = now;
    attempts = 0;
    attemptNanos = 0;
    wastedNanos = 0;
    queued = false;
    stalled = false;
  }
}
