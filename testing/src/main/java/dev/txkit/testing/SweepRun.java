package dev.txkit.testing;

import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a {@link Sweep}: the clean run that learns the failure points, then the run of each point and
 * kind, each judged ({@link SweepVerdicts}). Used step by step by {@link SweepTestExtension} (one JUnit invocation
 * per run) and all at once by {@link Sweep#run()}. Confined to one thread at a time.
 */
final class SweepRun implements AutoCloseable {

  /** One failure point of the clean run. */
  static final class Site {
    final int number;
    final Call call;
    final int nth;

    Site(int number, Call call, int nth) {
      this.number = number;
      this.call = call;
      this.nth = nth;
    }

    String describe() {
      StringBuilder sb = new StringBuilder().append(call.point());
      if (call.sql() != null) {
        sb.append(" [").append(call.sql()).append(']');
      }
      if (nth > 1) {
        sb.append(" #").append(nth);
      }
      if (call.transaction() != null) {
        sb.append(" in '").append(call.transaction()).append('\'');
      }
      return sb.toString();
    }
  }

  /** One run to make: a point and a kind of failure. */
  static final class Plan {
    final Site site;
    final SweepKind kind;
    final SweepFaults.Spec spec;

    Plan(Site site, SweepKind kind, SweepFaults.Spec spec) {
      this.site = site;
      this.kind = kind;
      this.spec = spec;
    }

    /** @return a display name, e.g. {@code 4 STATEMENT_AFTER [UPDATE ...] x transient} */
    String displayName() {
      return site.number + " " + site.describe() + " x " + kind.label();
    }
  }

  private final Sweep sweep;
  private final FaultyDataSource faulty;
  private final FakeSleeper sleeper = new FakeSleeper();
  private final Database database;
  private final TableState before;
  private @Nullable TableState after;
  private @Nullable SweepOutcome clean;
  private String cleanTrace = "";
  private @Nullable String cleanWrong;
  private final List<Plan> plans = new ArrayList<>();
  private final List<Site> sites = new ArrayList<>();
  private final List<SweepCase> cases = new ArrayList<>();
  /** Whether the tables may differ from their state before the clean run (a restore is needed). */
  private boolean dirty = true;

  SweepRun(Sweep sweep) {
    this.sweep = sweep;
    this.faulty = FaultyDataSource.wrap(sweep.dataSource);
    try (Transactions txs = transactions()) {
      this.database = txs.database();
    }
    this.before = TableState.read(sweep.dataSource, sweep.tables);
  }

  /** @return the sweep's name with the database, e.g. {@code "transfer on H2"} */
  String title() {
    return sweep.name + " on " + database;
  }

  Database database() {
    return database;
  }

  /**
   * The clean run: learns the failure points and the state after the work.
   *
   * @return whether the clean run was right (otherwise no point is tried)
   */
  boolean prepare() {
    faulty.faults().reset();
    faulty.recorder().clear();
    List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    Set<Connection> open = openConnections();
    Thread me = Thread.currentThread();
    faulty.faults().probe(c -> {
      if (c.thread() == me) {
        calls.add(c);
      }
    });
    SweepOutcome o;
    try {
      o = execute(null, null);
    } finally {
      faulty.faults().probe(null);
    }
    clean = o;
    cleanTrace = faulty.recorder().dump();
    after = TableState.read(sweep.dataSource, sweep.tables);
    String leaks = leaked(open);
    String broken = checkInvariants(o);
    if (!leaks.isEmpty() || broken != null) {
      cleanWrong = (broken != null ? broken : "") + (broken != null && !leaks.isEmpty() ? "; " : "") + leaks;
      return false;
    }
    learn(calls);
    return true;
  }

  private void learn(List<Call> calls) {
    List<Call> all = List.copyOf(calls);
    for (int i = 0; i < all.size(); i++) {
      Call c = all.get(i);
      if (c.point() == Point.RESULT_SET_NEXT) {
        // only the first row of each result: the others fail the same way
        Call prev = i > 0 ? all.get(i - 1) : null;
        if (prev == null || prev.point() != Point.STATEMENT_AFTER || prev.connectionId() != c.connectionId()) {
          continue;
        }
      }
      List<SweepKind> kinds = new ArrayList<>();
      for (SweepKind k : SweepKind.values()) {
        if (sweep.kinds.contains(k) && SweepFaults.applies(c, k)) {
          kinds.add(k);
        }
      }
      if (kinds.isEmpty()) {
        continue;
      }
      int nth = 1;
      for (int j = 0; j < i; j++) {
        if (SweepFaults.sameSite(all.get(j), c)) {
          nth++;
        }
      }
      Site site = new Site(sites.size() + 1, c, nth);
      sites.add(site);
      for (SweepKind k : kinds) {
        plans.add(new Plan(site, k, SweepFaults.spec(c, nth, k, database)));
      }
    }
  }

  List<Plan> plans() {
    return List.copyOf(plans);
  }

  List<Site> sites() {
    return List.copyOf(sites);
  }

  /** Runs one point and kind from the state before the clean run, and judges it. */
  SweepCase run(Plan plan) {
    resetDatabase();
    faulty.faults().reset();
    faulty.recorder().clear();
    Set<Connection> open = openConnections();
    Faults.ArmedFault armed = faulty.faults().inject(plan.spec.fault());
    SweepOutcome o = execute(plan.site.call.point(), plan.kind);
    boolean fired = armed.timesFired() > 0;
    faulty.faults().reset();
    String trace = faulty.recorder().dump();
    String leaks = leaked(open);
    TableState now = TableState.read(sweep.dataSource, sweep.tables);
    dirty = sweep.reset != null || sweep.tables.isEmpty() || !before.sameAs(now, Map.of());
    SweepVerdicts.Judged j = SweepVerdicts.judge(Objects.requireNonNull(clean), o, plan, fired, before,
        Objects.requireNonNull(after), now, sweep.tables.isEmpty(), sweep.ignored, sweep.expectRecovery,
        checkInvariants(o), leaks);
    SweepCase c = new SweepCase(plan.site.number, plan.site.describe(), plan.kind, plan.spec.description(),
        plan.spec.code(), o, j.verdict(), j.reason(), j.effect(), trace);
    cases.add(c);
    return c;
  }

  SweepReport report() {
    SweepOutcome o = clean;
    return new SweepReport(title(), o, cleanWrong, cleanTrace, sites(), List.copyOf(cases), sweep.kinds);
  }

  /**
   * A new {@link Transactions} for each run: what txkit learns once per instance (the database, the type of a
   * {@code lockRows} key column) is learned in every run, so that every run makes the clean run's calls.
   */
  private Transactions transactions() {
    Transactions.Builder b = faulty.transactions().sleeper(sleeper).ticker(sleeper);
    sweep.customizer.accept(b);
    return b.build();
  }

  private SweepOutcome execute(@Nullable Point point, @Nullable SweepKind kind) {
    Object value = null;
    Throwable failure = null;
    try (Transactions txs = transactions()) {
      value = sweep.unit.run(txs);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      failure = t;
    }
    int attempts = 0;
    for (Recorder.TransactionRun r : faulty.recorder().transactions()) {
      attempts += r.attempts();
    }
    return new SweepOutcome(value, failure, point, kind, attempts);
  }

  private @Nullable String checkInvariants(SweepOutcome o) {
    for (Sweep.Invariant inv : sweep.invariants) {
      try {
        inv.check(sweep.dataSource, o);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        return "the invariant does not hold: " + (t.getMessage() == null ? t.toString() : t.getMessage());
      }
    }
    return null;
  }

  private Set<Connection> openConnections() {
    Set<Connection> s = Collections.newSetFromMap(new IdentityHashMap<>());
    s.addAll(faulty.hub().openConnections());
    return s;
  }

  /** Names the connections the run left open, and aborts them so their locks do not block the next run. */
  private String leaked(Set<Connection> before) {
    List<String> names = new ArrayList<>();
    for (Connection c : faulty.hub().openConnections()) {
      if (!before.contains(c)) {
        names.add(c.toString().replaceAll("\\[.*", ""));
        try {
          c.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
          // aborting is only to free the locks; the leak is reported either way
        }
      }
    }
    return names.isEmpty() ? "" : "the unit left " + names.size() + " connection(s) open: " + names;
  }

  private void resetDatabase() {
    Sweep.Reset r = sweep.reset;
    if (r == null) {
      if (dirty) {
        before.restore(sweep.dataSource, database);
      }
      return;
    }
    try {
      r.reset(sweep.dataSource);
    } catch (Exception e) {
      throw new IllegalStateException("The sweep's reset failed: " + e.getMessage(), e);
    }
  }

  /** Puts the database back into the state before the clean run. */
  @Override
  public void close() {
    if (!sweep.tables.isEmpty() || sweep.reset != null) {
      resetDatabase();
    }
  }
}
