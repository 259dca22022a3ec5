package dev.txkit.testing;

import dev.txkit.FailureKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of a {@link WorkloadRunner} run: the history, the checkers' verdicts, and a summary (operations by
 * outcome, retries by kind, faults fired, verdicts). Immutable.
 */
public final class WorkloadResult {

  private final String workload;
  private final String database;
  private final int threads;
  private final long elapsedNanos;
  private final long seed;
  private final History history;
  private final Map<FailureKind, Long> retries;
  private final Map<SweepKind, Long> faultsFired;
  private final long faultsPlanned;
  private final Map<String, Checker.Result> verdicts;

  WorkloadResult(String workload, String database, int threads, long elapsedNanos, long seed, History history,
      Map<FailureKind, Long> retries, Map<SweepKind, Long> faultsFired, long faultsPlanned,
      Map<String, Checker.Result> verdicts) {
    this.workload = workload;
    this.database = database;
    this.threads = threads;
    this.elapsedNanos = elapsedNanos;
    this.seed = seed;
    this.history = history;
    this.retries = Map.copyOf(retries);
    this.faultsFired = Map.copyOf(faultsFired);
    this.faultsPlanned = faultsPlanned;
    this.verdicts = Collections.unmodifiableMap(new LinkedHashMap<>(verdicts));
  }

  /** @return the history */
  public History history() {
    return history;
  }

  /** @return the seed that replays the run's operations and fault schedule */
  public long seed() {
    return seed;
  }

  /** @return each checker's verdict, by checker name, in the workload's order */
  public Map<String, Checker.Result> verdicts() {
    return verdicts;
  }

  /** @return whether every checker found the history valid */
  public boolean valid() {
    return verdicts.values().stream().allMatch(Checker.Result::valid);
  }

  /** @return the retries txkit made, by failure kind */
  public Map<FailureKind, Long> retries() {
    return retries;
  }

  /** @return the faults that fired, by kind */
  public Map<SweepKind, Long> faultsFired() {
    return faultsFired;
  }

  /** @return the summary: operations by outcome, retries by kind, faults fired, the checkers' verdicts */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Workload '%s' on %s: %d threads, %.1f s, seed %d (replay: .seed(%dL))%n",
        workload, database, threads, elapsedNanos / 1e9, seed, seed));
    List<History.Op> ops = history.operations();
    sb.append("  operations: ").append(ops.size()).append(" (ok ").append(history.count(null, History.Outcome.OK))
        .append(", fail ").append(history.count(null, History.Outcome.FAIL)).append(", unknown ")
        .append(history.count(null, History.Outcome.UNKNOWN)).append(')');
    for (String f : history.fs()) {
      sb.append("; ").append(f).append(": ok ").append(history.count(f, History.Outcome.OK)).append(" fail ")
          .append(history.count(f, History.Outcome.FAIL)).append(" unknown ")
          .append(history.count(f, History.Outcome.UNKNOWN));
    }
    sb.append('\n');
    sb.append("  retries by kind: ").append(retries.isEmpty() ? "none" : sorted(retries)).append('\n');
    long fired = faultsFired.values().stream().mapToLong(Long::longValue).sum();
    sb.append("  faults fired: ").append(fired).append(' ').append(faultsFired.isEmpty() ? "" : sorted(faultsFired))
        .append(" of ").append(faultsPlanned).append(" planned (a fault planned for a statement an operation does "
            + "not reach does not fire)\n");
    sb.append("  checkers:\n");
    verdicts.forEach((name, r) -> sb.append("    ").append(r.valid() ? "PASS " : "FAIL ").append(name).append(": ")
        .append(r.detail()).append('\n'));
    return sb.toString();
  }

  private static <K extends Enum<K>> String sorted(Map<K, Long> m) {
    return new TreeMap<>(m).toString();
  }

  /**
   * Fails unless every checker found the history valid, with the summary (and its seed) and the start of the
   * history.
   *
   * @throws AssertionError if a checker found it invalid
   */
  public void assertValid() {
    if (!valid()) {
      throw new AssertionError(summary() + "  history (first events):\n" + history.events(200));
    }
  }

  @Override
  public String toString() {
    return summary();
  }
}
