package dev.txkit.testing;

import dev.txkit.CurrentTransaction;
import dev.txkit.RetryEvent;
import dev.txkit.Sleeper;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.testing.internal.Directive;
import dev.txkit.testing.internal.Interceptor;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The fault controller of one {@link FaultyDataSource}: arms faults and gates, and checks that every armed fault
 * fired. Which txkit transaction and attempt a call belongs to comes from txkit itself
 * ({@link dev.txkit.CurrentTransaction}), so attempt and transaction triggers work with any {@code Transactions}
 * built over the faulty data source, including one the code under test builds itself; {@link #listener()} adds
 * the retry and completion events to the {@link Recorder}.
 *
 * <pre>{@code
 * FaultyDataSource ds = FaultyDataSource.wrap(realDataSource);
 * Transactions txs = Transactions.create(ds);
 * ds.faults().inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.kind(StatementKind.INSERT), Trigger.attempt(1))
 *     .fail(Failures.h2().deadlock()));
 * }</pre>
 *
 * <p>Thread-safe: faults may be armed while other threads run transactions. Longer than most classes because the
 * matching of calls against armed faults (nth, times, seeded probabilities, gates) must happen under the same lock
 * as arming and resetting them.
 */
public final class Faults {

  private final Recorder recorder;
  private final List<ArmedFault> armed = new ArrayList<>();
  private final Listener listener = new Listener();
  private long seed = ThreadLocalRandom.current().nextLong();
  private volatile Sleeper sleeper = Sleeper.system();
  private volatile Duration gateMaxPause = Duration.ofSeconds(30);
  private volatile boolean transactionSeen;
  /** Sees every call at a fault point, before the faults are asked (the sweep learns its points with it). */
  private volatile @Nullable Consumer<Call> probe;
  final Interceptor interceptor = new Hook();

  Faults(Recorder recorder) {
    this.recorder = recorder;
  }

  /**
   * Arms a fault. The fault is copied: changing it afterwards has no effect.
   *
   * @param fault the fault
   * @return a handle telling whether and how often it fired
   * @throws IllegalArgumentException if the fault does not say what to do ({@link Fault#fail},
   *     {@link Fault#dropConnection()}, {@link Fault#delay})
   */
  public ArmedFault inject(Fault fault) {
    Objects.requireNonNull(fault, "fault");
    if (fault.action == null) {
      throw new IllegalArgumentException(fault + " does not say what to do: add .fail(payload), .dropConnection() "
          + "or .delay(duration)");
    }
    return arm(fault.copy(), null);
  }

  /**
   * Arms a gate: the first call at the point that the triggers match pauses until the test releases the gate.
   *
   * @param point where
   * @param triggers which calls (all must match)
   * @return the gate
   */
  public Gate gate(Point point, Trigger... triggers) {
    return gate(Fault.at(point).when(triggers));
  }

  /**
   * Arms a gate with everything a fault can say about when ({@link Fault#nth}, {@link Fault#times}); what the
   * fault would do is ignored.
   *
   * @param when the point and triggers
   * @return the gate
   */
  public Gate gate(Fault when) {
    Fault f = Objects.requireNonNull(when, "when").copy();
    f.action = Fault.Action.GATE;
    Gate gate = new Gate(f.toString(), gateMaxPause);
    arm(f, gate);
    return gate;
  }

  private synchronized ArmedFault arm(Fault f, @Nullable Gate gate) {
    long faultSeed = seed + 0x9E3779B97F4A7C15L * (armed.size() + 1);
    for (int i = 0; i < f.triggers.size(); i++) {
      if (f.triggers.get(i) instanceof Trigger.Probability) {
        f.triggers.set(i, ((Trigger.Probability) f.triggers.get(i)).seeded(faultSeed + i));
      }
    }
    // probabilities draw only for calls the other triggers match, so that the sequence is reproducible
    f.triggers.sort((a, b) -> Boolean.compare(a instanceof Trigger.Probability, b instanceof Trigger.Probability));
    ArmedFault a = new ArmedFault(f, gate);
    armed.add(a);
    return a;
  }

  /**
   * The listener that tells the {@link Recorder} about txkit's transactions: their attempts, retries and outcome
   * ({@link Recorder#transactions()}). Register it with {@code Transactions.builder(ds).listener(faults.listener())}.
   * Triggers do not need it.
   *
   * @return the listener
   */
  public TransactionListener listener() {
    return listener;
  }

  /**
   * The seed of the {@link Trigger#probability} triggers; random unless set. Printed in failure messages and
   * the trace so a failing run can be replayed.
   *
   * @return the seed
   */
  public synchronized long seed() {
    return seed;
  }

  /**
   * Sets the seed for probability triggers of faults armed from now on.
   *
   * @param seed the seed
   * @return this
   */
  public synchronized Faults seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Sets how {@link Fault#delay} waits (default: really sleeping). A {@link FakeSleeper} records the delays
   * instead.
   *
   * @param sleeper the sleeper
   * @return this
   */
  public Faults sleeper(Sleeper sleeper) {
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    return this;
  }

  /**
   * Sets how long a gate holds a thread before giving up (default 30 s), for gates armed from now on.
   *
   * @param maxPause the limit
   * @return this
   */
  public Faults gateMaxPause(Duration maxPause) {
    this.gateMaxPause = Objects.requireNonNull(maxPause, "maxPause");
    return this;
  }

  /** @return the armed faults and gates, in the order they were armed */
  public synchronized List<ArmedFault> armed() {
    return List.copyOf(armed);
  }

  /** Disarms every fault and releases every gate. */
  public void reset() {
    List<ArmedFault> all;
    synchronized (this) {
      all = new ArrayList<>(armed);
      armed.clear();
    }
    for (ArmedFault a : all) {
      if (a.gate != null) {
        a.gate.release();
      }
    }
  }

  /**
   * Fails if an armed fault or gate never fired: a fault that never fires means the test did not test what it
   * says.
   *
   * @throws AssertionError naming the faults that never fired, with the seed
   */
  public void assertAllFired() {
    List<String> idle = new ArrayList<>();
    for (ArmedFault a : armed()) {
      if (a.timesFired() == 0) {
        idle.add(a.fault.toString() + " (matched " + a.matched() + " call(s))");
      }
    }
    if (!idle.isEmpty()) {
      throw new AssertionError("Armed fault(s) never fired, so the test did not exercise them: " + idle
          + ". Check the point and triggers against the trace (seed " + seed() + ")" + (transactionSeen ? ""
          : ". No txkit transaction ran over this data source: attempt and transaction triggers match only calls "
          + "made inside one (and the Recorder's transactions need Transactions.builder(ds).listener(faults.listener()))"));
    }
  }

  @Override
  public String toString() {
    return "Faults[seed=" + seed() + ", armed=" + armed() + "]";
  }

  /**
   * Shows every call that reaches a fault point to a probe, in call order, before any fault is asked; null
   * removes it.
   */
  void probe(@Nullable Consumer<Call> probe) {
    this.probe = probe;
  }

  // ---- matching ------------------------------------------------------------------------------------------

  private @Nullable String transactionName() {
    CurrentTransaction t = CurrentTransaction.current().orElse(null);
    if (t == null) {
      return null;
    }
    transactionSeen = true;
    return t.name();
  }

  private int attempt() {
    return CurrentTransaction.current().map(CurrentTransaction::attempt).orElse(0);
  }

  private final class Hook implements Interceptor {
    @Override
    public @Nullable Directive decide(Point point, int connectionId, @Nullable String sql) {
      Call call = new Call(point, sql, Thread.currentThread(), connectionId, transactionName(), attempt());
      Consumer<Call> p = probe;
      if (p != null) {
        p.accept(call);
      }
      List<ArmedFault> pauses = null;
      ArmedFault chosen = null;
      synchronized (Faults.this) {
        for (ArmedFault a : armed) {
          Fault f = a.fault;
          if (f.point != point || a.fired >= f.times) {
            continue;
          }
          boolean pause = f.action == Fault.Action.GATE || f.action == Fault.Action.DELAY;
          if (!pause && chosen != null) {
            continue;
          }
          if (!matches(f, call)) {
            continue;
          }
          a.matched++;
          if (a.matched < f.nth) {
            continue;
          }
          a.fired++;
          if (pause) {
            if (pauses == null) {
              pauses = new ArrayList<>(2);
            }
            pauses.add(a);
          } else {
            chosen = a;
          }
        }
      }
      if (pauses != null) {
        for (ArmedFault a : pauses) {
          if (a.gate != null) {
            a.gate.arrive();
          } else {
            try {
              sleeper.sleep(Objects.requireNonNull(a.fault.delay));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      }
      if (chosen == null) {
        return null;
      }
      Fault f = chosen.fault;
      switch (Objects.requireNonNull(f.action)) {
        case DROP:
          return new Directive(Directive.Kind.DROP, null, null, true, f.batchRows, f.toString());
        case SILENT_ROLLBACK:
          return new Directive(Directive.Kind.SILENT_ROLLBACK, null, null, true, 0, f.toString());
        default:
          SQLException e = Objects.requireNonNull(f.payload).get();
          Failure entry = f.payload instanceof Failure ? (Failure) f.payload : null;
          return new Directive(Directive.Kind.FAIL, e, entry, f.emulate, f.batchRows, f.toString());
      }
    }

    private boolean matches(Fault f, Call call) {
      for (Trigger t : f.triggers) {
        if (!t.test(call)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public @Nullable String transactionName() {
      return Faults.this.transactionName();
    }

    @Override
    public int attempt() {
      return Faults.this.attempt();
    }
  }

  private final class Listener implements TransactionListener {
    @Override
    public void onBegin(String transactionName, int attempt) {
      recorder.onBegin(transactionName, attempt);
    }

    @Override
    public void onRetry(RetryEvent event) {
      recorder.onRetry(event);
    }

    @Override
    public void onComplete(TransactionStats stats) {
      recorder.onComplete(stats);
    }
  }

  /** An armed fault or gate: tells whether and how often it fired. Thread-safe. */
  public final class ArmedFault {
    final Fault fault;
    final @Nullable Gate gate;
    int matched;
    int fired;

    ArmedFault(Fault fault, @Nullable Gate gate) {
      this.fault = fault;
      this.gate = gate;
    }

    /** @return how many times it fired */
    public int timesFired() {
      synchronized (Faults.this) {
        return fired;
      }
    }

    /** @return how many calls its triggers matched (including the skipped ones) */
    public int matched() {
      synchronized (Faults.this) {
        return matched;
      }
    }

    @Override
    public String toString() {
      return fault + " [fired " + timesFired() + "x]";
    }
  }
}
