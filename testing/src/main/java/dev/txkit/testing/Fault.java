package dev.txkit.testing;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What to break, where and when: built fluently and armed with {@link Faults#inject(Fault)}.
 *
 * <pre>{@code
 * faults.inject(Fault.at(Point.COMMIT_AFTER)
 *     .when(Trigger.attempt(1))
 *     .fail(Failures.postgres().connectionLost()));
 * }</pre>
 *
 * <p>A fault does one thing when it fires: {@link #fail} with a payload (and, by default, emulates what the server
 * does next, see {@link #withoutEmulation()}), {@link #dropConnection()}, or {@link #delay}. At
 * {@link Point#COMMIT_SILENT_ROLLBACK} it needs none of them. It fires on the {@link #nth} call that all its
 * triggers match, then on the following matching calls until it fired {@link #times} times (default once).
 *
 * <p>A builder: not thread-safe. {@link Faults#inject} copies it, so changing it afterwards has no effect.
 */
public final class Fault {

  /** What a fault does when it fires. */
  enum Action {
    FAIL, DROP, DELAY, SILENT_ROLLBACK, GATE
  }

  final Point point;
  final List<Trigger> triggers = new ArrayList<>();
  int nth = 1;
  int times = 1;
  @Nullable Action action;
  @Nullable Supplier<? extends SQLException> payload;
  @Nullable Duration delay;
  int batchRows;
  boolean emulate = true;

  private Fault(Point point) {
    this.point = point;
    if (point == Point.COMMIT_SILENT_ROLLBACK) {
      action = Action.SILENT_ROLLBACK;
    }
  }

  /**
   * Starts a fault at a point.
   *
   * @param point where
   * @return a new fault, firing once on the first matching call
   */
  public static Fault at(Point point) {
    return new Fault(Objects.requireNonNull(point, "point"));
  }

  /**
   * Adds triggers; all of them must match.
   *
   * @param triggers the triggers
   * @return this fault
   */
  public Fault when(Trigger... triggers) {
    for (Trigger t : triggers) {
      this.triggers.add(Objects.requireNonNull(t, "trigger"));
    }
    return this;
  }

  /**
   * Fires first on the nth matching call (skipping n - 1 of them). At {@link Point#RESULT_SET_NEXT} this is the
   * nth row read.
   *
   * @param n from 1; default 1
   * @return this fault
   */
  public Fault nth(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("nth counts from 1, got " + n);
    }
    this.nth = n;
    return this;
  }

  /**
   * Fires once (the default).
   *
   * @return this fault
   */
  public Fault once() {
    return times(1);
  }

  /**
   * Fires on n matching calls, then stays quiet.
   *
   * @param n at least 1
   * @return this fault
   */
  public Fault times(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("times must be at least 1, got " + n + "; to disarm, call faults.reset()");
    }
    this.times = n;
    return this;
  }

  /**
   * Fires on every matching call.
   *
   * @return this fault
   */
  public Fault always() {
    this.times = Integer.MAX_VALUE;
    return this;
  }

  /**
   * Fails the call with a new exception from the payload each time it fires: a vendor-accurate one from
   * {@link Failures}, or any supplier.
   *
   * @param payload the exception to throw
   * @return this fault
   */
  public Fault fail(Supplier<? extends SQLException> payload) {
    this.payload = Objects.requireNonNull(payload, "payload");
    this.action = Action.FAIL;
    return this;
  }

  /**
   * Drops the connection: the physical connection is rolled back and closed (evicted from a HikariCP pool it came
   * from), the call fails as the driver reports a lost connection, and every later call on it fails as on a closed
   * connection (PostgreSQL 08006 then 08003; MariaDB 08000; H2 90067 then 90121). At {@link Point#COMMIT_AFTER} the
   * transaction is committed first.
   *
   * @return this fault
   */
  public Fault dropConnection() {
    this.action = Action.DROP;
    return this;
  }

  /**
   * Delays the call by a duration, through {@link Faults#sleeper(dev.txkit.Sleeper)} (a
   * {@link FakeSleeper} makes it instant and recorded); the call then proceeds.
   *
   * @param delay the delay
   * @return this fault
   */
  public Fault delay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    this.delay = delay;
    this.action = Action.DELAY;
    return this;
  }

  /**
   * At {@link Point#BATCH}: how many rows of the batch are applied before the failing one.
   *
   * @param rows from 0 (the default)
   * @return this fault
   */
  public Fault afterRows(int rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must not be negative, got " + rows);
    }
    this.batchRows = rows;
    return this;
  }

  /**
   * Only throws the payload, without emulating what the server does after such a failure. By default the kit
   * applies the payload's {@link Failure#serverEffect()} to the real connection (a catalogue entry's own; any
   * other payload's from the entry {@link Failures#identify} finds for it in the database's catalogue, else from
   * its SQLState class): a rolled-back transaction is really rolled back, PostgreSQL's aborted state is emulated,
   * a lost connection is dropped.
   *
   * @return this fault
   */
  public Fault withoutEmulation() {
    this.emulate = false;
    return this;
  }

  Fault copy() {
    Fault f = new Fault(point);
    f.triggers.addAll(triggers);
    f.nth = nth;
    f.times = times;
    f.action = action;
    f.payload = payload;
    f.delay = delay;
    f.batchRows = batchRows;
    f.emulate = emulate;
    return f;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Fault at ").append(point);
    if (!triggers.isEmpty()) {
      sb.append(" when ").append(triggers);
    }
    if (nth > 1) {
      sb.append(", from matching call #").append(nth);
    }
    if (action == Action.FAIL) {
      sb.append(": fail with ").append(payload);
    } else if (action == Action.DROP) {
      sb.append(": drop the connection");
    } else if (action == Action.DELAY) {
      sb.append(": delay ").append(delay);
    } else if (action == Action.SILENT_ROLLBACK) {
      sb.append(": roll back and report success");
    } else if (action == Action.GATE) {
      sb.append(": pause at a gate");
    }
    sb.append(times == Integer.MAX_VALUE ? ", always" : times == 1 ? ", once" : ", " + times + " times");
    return sb.toString();
  }
}
