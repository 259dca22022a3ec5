package dev.txkit.testing;

import dev.txkit.jdbc.Database;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The random faults of a {@link WorkloadRunner} run. Which operation gets which fault is a function of the seed,
 * the process and the operation's index in that process alone, not of the interleaving: a rerun with the seed
 * injects the same faults into the same operations. A fault strikes the nth statement (or the commit) of the
 * operation's first attempt, so txkit's retry meets a healthy database; an operation with fewer statements than
 * the nth does not meet its fault.
 */
final class FaultSchedule {

  /** The fault planned for one operation, and whether it fired. */
  static final class Plan {
    final Point point;
    final String payload;
    final SweepKind kind;
    final int nth;
    int seen;
    boolean fired;

    Plan(Point point, String payload, SweepKind kind, int nth) {
      this.point = point;
      this.payload = payload;
      this.kind = kind;
      this.nth = nth;
    }

    @Override
    public String toString() {
      return kind.label() + " at " + point + (point == Point.STATEMENT_BEFORE || point == Point.STATEMENT_AFTER
          ? " of statement " + nth : "") + " (" + payload + ")";
    }
  }

  /** The faults armed for a run: one per point and payload, each matching the plan of the calling thread's op. */
  private static final String[][] COMBINATIONS = {
      {"STATEMENT_BEFORE", "deadlock"}, {"STATEMENT_AFTER", "deadlock"}, {"COMMIT_BEFORE", "serializationFailure"},
      {"STATEMENT_BEFORE", "queryTimeout"}, {"STATEMENT_AFTER", "queryTimeout"},
      {"COMMIT_BEFORE", "uniqueViolation"}, {"STATEMENT_BEFORE", "drop"}, {"STATEMENT_AFTER", "drop"},
      {"COMMIT_BEFORE", "drop"}, {"COMMIT_AFTER", "drop"}};

  private final long seed;
  private final double rate;
  private final List<SweepKind> kinds;
  /** The plan of the operation each thread is running; one per run, so not static. */
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<@Nullable Plan> current = new ThreadLocal<>();
  private final Map<SweepKind, AtomicLong> fired = new EnumMap<>(SweepKind.class);
  private final AtomicLong planned = new AtomicLong();

  FaultSchedule(long seed, double rate, List<SweepKind> kinds) {
    this.seed = seed;
    this.rate = rate;
    this.kinds = List.copyOf(kinds);
    for (SweepKind k : SweepKind.values()) {
      fired.put(k, new AtomicLong());
    }
  }

  /** Arms the faults that carry out the plans. */
  void arm(Faults faults, Database db) {
    if (rate == 0 || kinds.isEmpty()) {
      return;
    }
    Failures catalogue = Failures.of(db);
    for (String[] c : COMBINATIONS) {
      Point point = Point.valueOf(c[0]);
      String payload = c[1];
      Fault f = Fault.at(point).when(new Scheduled(payload)).always();
      if (payload.equals("drop")) {
        f.dropConnection();
      } else {
        f.fail(payload(catalogue, payload));
      }
      faults.inject(f);
    }
  }

  private static Supplier<SQLException> payload(Failures f, String name) {
    switch (name) {
      case "deadlock":
        return f.deadlock();
      case "serializationFailure":
        return f.serializationFailure();
      case "queryTimeout":
        return f.queryTimeout();
      default:
        return f.uniqueViolation();
    }
  }

  /** Matches the call that the calling thread's plan strikes. */
  private final class Scheduled implements Trigger {
    private final String payload;

    Scheduled(String payload) {
      this.payload = payload;
    }

    @Override
    public boolean test(Call call) {
      return matches(call, payload);
    }

    @Override
    public String toString() {
      return "the run's fault schedule (seed " + seed + ")";
    }
  }

  private boolean matches(Call call, String payload) {
    Plan p = current.get();
    if (p == null || p.fired || p.point != call.point() || !p.payload.equals(payload) || call.attempt() > 1) {
      return false;
    }
    if (++p.seen < p.nth) {
      return false;
    }
    p.fired = true;
    Objects.requireNonNull(fired.get(p.kind)).incrementAndGet();
    return true;
  }

  /** Plans the fault of one operation (or none), and makes it the calling thread's. */
  @Nullable Plan begin(int process, int index) {
    Plan p = plan(process, index);
    current.set(p);
    if (p != null) {
      planned.incrementAndGet();
    }
    return p;
  }

  /** Ends the calling thread's operation. */
  void end() {
    current.remove();
  }

  /** The plan of an operation: a pure function of the seed, the process and the index. */
  @Nullable Plan plan(int process, int index) {
    if (rate == 0 || kinds.isEmpty()) {
      return null;
    }
    Random r = new Random(seed ^ (process + 1) * 0x9E3779B97F4A7C15L ^ (index + 1) * 0xC2B2AE3D27D4EB4FL);
    if (r.nextDouble() >= rate) {
      return null;
    }
    SweepKind kind = kinds.get(r.nextInt(kinds.size()));
    int nth = 1 + r.nextInt(3);
    boolean after = r.nextBoolean();
    boolean atCommit = r.nextInt(4) == 0;
    Point statement = after ? Point.STATEMENT_AFTER : Point.STATEMENT_BEFORE;
    switch (kind) {
      case TRANSIENT:
        return atCommit ? new Plan(Point.COMMIT_BEFORE, "serializationFailure", kind, 1)
            : new Plan(statement, "deadlock", kind, nth);
      case NON_RETRYABLE:
        return atCommit ? new Plan(Point.COMMIT_BEFORE, "uniqueViolation", kind, 1)
            : new Plan(statement, "queryTimeout", kind, nth);
      case CONNECTION_LOSS:
        return atCommit ? new Plan(Point.COMMIT_BEFORE, "drop", kind, 1) : new Plan(statement, "drop", kind, nth);
      case UNKNOWN_OUTCOME:
        return new Plan(Point.COMMIT_AFTER, "drop", kind, 1);
      default:
        return null;
    }
  }

  /** @return how many operations had a fault planned */
  long planned() {
    return planned.get();
  }

  /** @return the faults that fired, by kind */
  Map<SweepKind, Long> fired() {
    Map<SweepKind, Long> out = new EnumMap<>(SweepKind.class);
    fired.forEach((k, v) -> {
      if (v.get() > 0) {
        out.put(k, v.get());
      }
    });
    return out;
  }
}
