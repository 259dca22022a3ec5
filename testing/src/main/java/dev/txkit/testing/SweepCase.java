package dev.txkit.testing;

import org.jspecify.annotations.Nullable;

/**
 * One run of a {@link Sweep}: one failure point, one kind of failure, and the verdict. Immutable.
 */
public final class SweepCase {

  /** The verdict of a run. */
  public enum Verdict {
    /** The invariant held and what the caller saw matches what the database holds. */
    RIGHT,
    /** The invariant or the caller-visible outcome was wrong: see {@link #reason()}. */
    WRONG,
    /** The fault never fired: the run did not reach the point (the unit is not deterministic). */
    NOT_REACHED
  }

  private final int point;
  private final String site;
  private final SweepKind kind;
  private final String failure;
  private final String replay;
  private final SweepOutcome outcome;
  private final Verdict verdict;
  private final String reason;
  private final String effect;
  private final String trace;

  SweepCase(int point, String site, SweepKind kind, String failure, String replay, SweepOutcome outcome,
      Verdict verdict, String reason, String effect, String trace) {
    this.point = point;
    this.site = site;
    this.kind = kind;
    this.failure = failure;
    this.replay = replay;
    this.outcome = outcome;
    this.verdict = verdict;
    this.reason = reason;
    this.effect = effect;
    this.trace = trace;
  }

  /** @return the failure point's number in the clean run's order, from 1 */
  public int pointNumber() {
    return point;
  }

  /** @return the fault point */
  public Point point() {
    Point p = outcome.point();
    return p == null ? Point.GET_CONNECTION : p;
  }

  /** @return the call where the fault struck, e.g. {@code STATEMENT_AFTER [UPDATE ...] in 'transfer'} */
  public String site() {
    return site;
  }

  /** @return the kind of failure */
  public SweepKind kind() {
    return kind;
  }

  /** @return the injected failure, e.g. {@code H2 deadlock (40001/40001, DEADLOCK)} or {@code drop the connection} */
  public String failure() {
    return failure;
  }

  /**
   * The Java code that arms the same fault, to paste into a test over a {@link FaultyDataSource} (its
   * {@code faults()}) or the {@link TxkitExtension}'s {@link Faults}.
   *
   * @return the code, e.g. {@code faults.inject(Fault.at(Point.COMMIT_AFTER).dropConnection());}
   */
  public String replay() {
    return replay;
  }

  /** @return what the caller saw */
  public SweepOutcome outcome() {
    return outcome;
  }

  /** @return the verdict */
  public Verdict verdict() {
    return verdict;
  }

  /** @return whether the run was wrong */
  public boolean isWrong() {
    return verdict == Verdict.WRONG;
  }

  /** @return why the run was wrong (or not reached); empty when right */
  public String reason() {
    return reason;
  }

  /**
   * @return what the tables held afterwards: {@code "as after the clean run"}, {@code "as before"}, the row diff
   *     against the clean run, or {@code "not compared"}
   */
  public String effect() {
    return effect;
  }

  /** @return the JDBC trace of the run ({@link Recorder#dump()}) */
  public String trace() {
    return trace;
  }

  /**
   * Fails if the run was wrong, with everything needed to understand and replay it.
   *
   * @throws AssertionError if {@link #isWrong()}
   */
  public void assertRight() {
    if (isWrong()) {
      throw new AssertionError(details());
    }
  }

  /** @return the full account of the run: verdict, reason, effect, replay code and trace */
  public String details() {
    StringBuilder sb = new StringBuilder();
    sb.append(verdict).append(": point ").append(point).append(' ').append(site).append(" x ").append(kind.label())
        .append(" (").append(failure).append(")\n");
    if (!reason.isEmpty()) {
      sb.append("  why: ").append(reason).append('\n');
    }
    Throwable f = outcome.failure();
    sb.append("  caller saw: ").append(f == null ? "a normal return" : f.getClass().getName() + ": "
        + f.getMessage()).append(outcome.attempts() == 0 ? " (no txkit transaction)"
        : ", after " + outcome.attempts() + " attempt(s) of txkit transactions").append('\n');
    sb.append("  tables: ").append(effect.contains("\n") ? "differ from the clean run's result (- its rows that are "
        + "missing, + rows it does not have):\n" + effect : effect + "\n");
    sb.append("  replay:\n    ").append(replay.replace("\n", "\n    ")).append('\n');
    sb.append("  ").append(trace.replace("\n", "\n  "));
    return sb.toString();
  }

  /**
   * A short name of what the caller saw: txkit's exceptions by class (without "Exception"), a driver's
   * {@code SQLException} by its SQLState.
   */
  static String shortName(@Nullable Throwable t) {
    if (t == null) {
      return "";
    }
    if (t instanceof java.sql.SQLException) {
      return "SQLState " + ((java.sql.SQLException) t).getSQLState();
    }
    String n = t.getClass().getSimpleName();
    return n.endsWith("Exception") && n.length() > "Exception".length() ? n.substring(0, n.length() - 9) : n;
  }

  @Override
  public String toString() {
    return verdict + " point " + point + " " + site + " x " + kind.label() + (reason.isEmpty() ? "" : ": " + reason);
  }
}
