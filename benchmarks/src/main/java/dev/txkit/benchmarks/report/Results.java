package dev.txkit.benchmarks.report;

import org.jspecify.annotations.Nullable;
import dev.txkit.benchmarks.contention.RunResult;
import dev.txkit.benchmarks.contention.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/** Every run of a suite, and the medians the report quotes. */
final class Results {

  private final List<RunResult> runs = new ArrayList<>();

  void add(RunResult r) {
    runs.add(r);
  }

  boolean isEmpty() {
    return runs.isEmpty();
  }

  List<RunResult> runs(Target target, String workload, String strategy, int threads) {
    List<RunResult> out = new ArrayList<>();
    for (RunResult r : runs) {
      if (r.target() == target && r.workload().equals(workload) && r.strategy().equals(strategy)
          && r.threads() == threads) {
        out.add(r);
      }
    }
    return out;
  }

  /** The aggregate of one cell's rounds, or null if the cell did not run. */
  @Nullable Cell cell(Target target, String workload, String strategy, int threads) {
    List<RunResult> rs = runs(target, workload, strategy, threads);
    return rs.isEmpty() ? null : new Cell(rs);
  }

  /**
   * The median over rounds of {@code a}'s goodput divided by {@code b}'s in the same round (runs of one round
   * are close in time, so load from outside hits both alike).
   */
  OptionalDouble medianRatio(Target ta, String wa, String sa, int na, Target tb, String wb, String sb, int nb) {
    Map<Integer, Double> a = byRound(runs(ta, wa, sa, na));
    Map<Integer, Double> b = byRound(runs(tb, wb, sb, nb));
    List<Double> ratios = new ArrayList<>();
    for (Map.Entry<Integer, Double> e : a.entrySet()) {
      Double other = b.get(e.getKey());
      if (other != null && other > 0) {
        ratios.add(e.getValue() / other);
      }
    }
    return ratios.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(ratios));
  }

  private static Map<Integer, Double> byRound(List<RunResult> rs) {
    Map<Integer, Double> m = new TreeMap<>();
    for (RunResult r : rs) {
      m.put(r.round(), r.goodput());
    }
    return m;
  }

  static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  /** The rounds of one cell. */
  static final class Cell {
    private final List<RunResult> runs;

    Cell(List<RunResult> runs) {
      this.runs = runs;
    }

    int rounds() {
      return runs.size();
    }

    double goodput() {
      return med(RunResult::goodput);
    }

    double attemptsPerCommit() {
      return med(RunResult::attemptsPerCommit);
    }

    double p50() {
      return med(RunResult::p50Millis);
    }

    double p99() {
      return med(RunResult::p99Millis);
    }

    double max() {
      return runs.stream().mapToDouble(RunResult::maxMillis).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
    }

    long calls() {
      return runs.stream().mapToLong(RunResult::calls).sum();
    }

    long errors() {
      return runs.stream().mapToLong(RunResult::errors).sum();
    }

    Map<String, Long> errorsByKind() {
      Map<String, Long> m = new TreeMap<>();
      runs.forEach(r -> r.callerErrors().forEach((k, v) -> m.merge(k, v, Long::sum)));
      return m;
    }

    Map<String, Long> abortedByKind() {
      Map<String, Long> m = new TreeMap<>();
      runs.forEach(r -> r.abortedAttempts().forEach((k, v) -> m.merge(k, v, Long::sum)));
      return m;
    }

    /** Server deadlocks, all rounds; -1 where the database has no counter. */
    long deadlocks() {
      if (runs.stream().anyMatch(r -> r.serverDeadlocks() < 0)) {
        return -1;
      }
      return runs.stream().mapToLong(RunResult::serverDeadlocks).sum();
    }

    long declined() {
      return runs.stream().mapToLong(RunResult::declined).sum();
    }

    List<String> violations() {
      List<String> v = new ArrayList<>();
      for (RunResult r : runs) {
        if (r.invariant() != null) {
          v.add("round " + r.round() + ": " + r.invariant());
        }
      }
      return v;
    }

    private double med(ToDoubleFunction<RunResult> f) {
      List<Double> v = new ArrayList<>();
      runs.forEach(r -> v.add(f.applyAsDouble(r)));
      return median(v);
    }
  }
}
