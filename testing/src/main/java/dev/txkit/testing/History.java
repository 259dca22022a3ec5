package dev.txkit.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What happened in a {@link WorkloadRunner} run, as Jepsen records it: every operation a process invoked, and how
 * it completed (ok, fail, or unknown), with the process, the thread and the times. {@link Checker}s judge it
 * together with the final state of the database. Immutable.
 */
public final class History {

  /**
   * How an operation completed.
   *
   * <p>Jepsen calls them {@code :ok}, {@code :fail} and {@code :info}: a failed operation certainly had no effect,
   * an unknown one may or may not have.
   */
  public enum Outcome {
    /** It returned normally: it took effect, exactly once. */
    OK,
    /** It threw, and certainly took no effect (txkit rolled it back). */
    FAIL,
    /** Its effect is unknown: the commit's reply was lost ({@link dev.txkit.CommitOutcomeUnknownException}). */
    UNKNOWN
  }

  /**
   * One operation: its invocation and its completion.
   *
   * @param index its position in invocation order, from 0
   * @param process the process (thread number) that ran it, from 0
   * @param thread the thread's name
   * @param f what it does, e.g. {@code "transfer"}
   * @param value its argument, as the workload generated it
   * @param invokedNanos when it was invoked, in nanoseconds since the run started
   * @param completedNanos when it completed, in nanoseconds since the run started
   * @param outcome how it completed
   * @param result what it returned, for {@link Outcome#OK} (e.g. the balances a read saw), else null
   * @param failure what it threw, for {@link Outcome#FAIL} and {@link Outcome#UNKNOWN}, else null
   * @param attempts the attempts of the txkit transactions it ran, added up
   * @param fault the fault the run's schedule injected into it (and that fired), or null
   */
  public record Op(long index, int process, String thread, String f, @Nullable Object value, long invokedNanos,
      long completedNanos, Outcome outcome, @Nullable Object result, @Nullable Throwable failure, int attempts,
      @Nullable String fault) {

    /** @return whether it completed {@link Outcome#OK} */
    public boolean ok() {
      return outcome == Outcome.OK;
    }

    /** @return whether it completed {@link Outcome#FAIL} */
    public boolean failed() {
      return outcome == Outcome.FAIL;
    }

    /** @return whether its outcome is {@link Outcome#UNKNOWN} */
    public boolean unknown() {
      return outcome == Outcome.UNKNOWN;
    }

    /**
     * @param other another operation of the same history
     * @return whether it was invoked after {@code other} completed (real-time order)
     */
    public boolean after(Op other) {
      return invokedNanos > other.completedNanos;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "#%d p%d %s %s -> %s%s (%.3f..%.3f ms)%s", index, process, f, value,
          outcome.name().toLowerCase(Locale.ROOT), outcome == Outcome.OK ? result == null ? "" : " " + result
              : " " + (failure == null ? "" : failure.getClass().getSimpleName()), invokedNanos / 1e6,
          completedNanos / 1e6, fault == null ? "" : "  <== " + fault);
    }
  }

  private final List<Op> ops;

  /**
   * A history of operations (for checkers' own tests; a run makes its history itself).
   *
   * @param ops the operations, in any order
   */
  public History(List<Op> ops) {
    List<Op> sorted = new ArrayList<>(Objects.requireNonNull(ops, "ops"));
    sorted.sort(Comparator.comparingLong(Op::invokedNanos).thenComparingLong(Op::index));
    this.ops = List.copyOf(sorted);
  }

  /** @return every operation, in invocation order */
  public List<Op> operations() {
    return ops;
  }

  /**
   * The operations of one kind.
   *
   * @param f e.g. {@code "transfer"}
   * @return them, in invocation order
   */
  public List<Op> operations(String f) {
    List<Op> out = new ArrayList<>();
    for (Op o : ops) {
      if (o.f().equals(f)) {
        out.add(o);
      }
    }
    return out;
  }

  /**
   * Counts operations.
   *
   * @param f the kind, or null for all
   * @param outcome the outcome
   * @return how many
   */
  public long count(@Nullable String f, Outcome outcome) {
    long n = 0;
    for (Op o : ops) {
      if ((f == null || o.f().equals(f)) && o.outcome() == outcome) {
        n++;
      }
    }
    return n;
  }

  /** @return the kinds of operation, in order of first invocation */
  public List<String> fs() {
    List<String> out = new ArrayList<>();
    for (Op o : ops) {
      if (!out.contains(o.f())) {
        out.add(o.f());
      }
    }
    return out;
  }

  /**
   * The history as Jepsen prints it, one event a line ({@code invoke}, then {@code ok} / {@code fail} /
   * {@code info}), in time order, at most {@code max} lines.
   *
   * @param max the most lines to print
   * @return the text
   */
  public String events(int max) {
    List<long[]> events = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      events.add(new long[] {ops.get(i).invokedNanos(), i, 0});
      events.add(new long[] {ops.get(i).completedNanos(), i, 1});
    }
    events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[2]));
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (long[] e : events) {
      if (n++ == max) {
        sb.append("... ").append(events.size() - max).append(" more events\n");
        break;
      }
      Op o = ops.get((int) e[1]);
      String type = e[2] == 0 ? "invoke" : o.ok() ? "ok" : o.failed() ? "fail" : "info";
      sb.append(String.format(Locale.ROOT, "{:process %d, :type :%s, :f :%s, :value %s, :time %d}%n", o.process(),
          type, o.f(), e[2] == 0 || !o.ok() || o.result() == null ? o.value() : o.result(), e[0]));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "History[" + ops.size() + " operations]";
  }
}
