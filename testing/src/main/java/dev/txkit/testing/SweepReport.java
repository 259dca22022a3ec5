package dev.txkit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@link Sweep}: every run with its verdict, a table of points x kinds, and for each wrong run
 * its reason, JDBC trace and the {@link Fault} code that replays it. Immutable.
 */
public final class SweepReport {

  private static final int CALL_WIDTH = 46;
  private static final int CELL_WIDTH = 26;

  private final String title;
  private final @Nullable SweepOutcome clean;
  private final @Nullable String cleanWrong;
  private final String cleanTrace;
  private final List<SweepRun.Site> sites;
  private final List<SweepCase> cases;
  private final List<SweepKind> kinds;

  SweepReport(String title, @Nullable SweepOutcome clean, @Nullable String cleanWrong, String cleanTrace,
      List<SweepRun.Site> sites, List<SweepCase> cases, Set<SweepKind> enabled) {
    this.title = title;
    this.clean = clean;
    this.cleanWrong = cleanWrong;
    this.cleanTrace = cleanTrace;
    this.sites = sites;
    this.cases = cases;
    List<SweepKind> k = new ArrayList<>();
    for (SweepKind kind : SweepKind.values()) {
      if (enabled.contains(kind)) {
        k.add(kind);
      }
    }
    this.kinds = List.copyOf(k);
  }

  /** @return the sweep's name and database */
  public String title() {
    return title;
  }

  /** @return every run, in order */
  public List<SweepCase> cases() {
    return cases;
  }

  /** @return the wrong runs */
  public List<SweepCase> wrong() {
    List<SweepCase> out = new ArrayList<>();
    for (SweepCase c : cases) {
      if (c.isWrong()) {
        out.add(c);
      }
    }
    return out;
  }

  /** @return the runs whose fault never fired */
  public List<SweepCase> notReached() {
    List<SweepCase> out = new ArrayList<>();
    for (SweepCase c : cases) {
      if (c.verdict() == SweepCase.Verdict.NOT_REACHED) {
        out.add(c);
      }
    }
    return out;
  }

  /** @return the number of failure points learned from the clean run */
  public int points() {
    return sites.size();
  }

  /**
   * @return why the clean run itself was wrong (its invariant failed, or it left a connection open), in which case
   *     no point was tried; null when it was right
   */
  public @Nullable String cleanRunWrong() {
    return cleanWrong;
  }

  /** @return one line: the points, the runs (points x kinds), how many were wrong */
  public String summary() {
    StringBuilder sb = new StringBuilder("Sweep '").append(title).append("': ").append(points())
        .append(" points x kinds = ").append(cases.size()).append(" runs, ").append(wrong().size())
        .append(" wrong, ").append(notReached().size()).append(" not reached");
    SweepOutcome c = clean;
    if (c != null) {
      sb.append(" (clean run: ").append(c.returned() ? "returned" : "threw " + c.seen()).append(", ")
          .append(c.attempts()).append(" attempt(s))");
    }
    if (cleanWrong != null) {
      sb.append("; THE CLEAN RUN WAS WRONG: ").append(cleanWrong);
    }
    return sb.toString();
  }

  /** @return the table of points x kinds with each run's outcome, after the summary line */
  public String table() {
    StringBuilder sb = new StringBuilder(summary()).append('\n');
    sb.append(pad("  #", 5)).append(pad("point", 24)).append(pad("call", CALL_WIDTH + 2));
    for (SweepKind k : kinds) {
      sb.append(pad(k.label(), CELL_WIDTH));
    }
    sb.append('\n');
    List<SweepCase> wrong = wrong();
    for (SweepRun.Site s : sites) {
      String call = s.call.sql() == null ? "" : s.call.sql();
      if (s.nth > 1) {
        call = call + " #" + s.nth;
      }
      sb.append(pad("  " + s.number, 5)).append(pad(s.call.point().name(), 24))
          .append(pad(cut(call, CALL_WIDTH), CALL_WIDTH + 2));
      for (SweepKind k : kinds) {
        SweepCase c = find(s.number, k);
        sb.append(pad(c == null ? "-" : cell(c, wrong), CELL_WIDTH));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private @Nullable SweepCase find(int point, SweepKind kind) {
    for (SweepCase c : cases) {
      if (c.pointNumber() == point && c.kind() == kind) {
        return c;
      }
    }
    return null;
  }

  private String cell(SweepCase c, List<SweepCase> wrong) {
    if (c.isWrong()) {
      return "WRONG (" + (wrong.indexOf(c) + 1) + ")";
    }
    if (c.verdict() == SweepCase.Verdict.NOT_REACHED) {
      return "not reached";
    }
    SweepOutcome o = c.outcome();
    if (o.outcomeUnknown()) {
      return c.effect().startsWith("as after") ? "unknown, committed" : c.effect().startsWith("as before")
          ? "unknown, rolled back" : "unknown";
    }
    SweepOutcome cl = clean;
    if (cl != null && SweepVerdicts.sameAsClean(cl, o)) {
      String what = o.returned() ? "ok" : "= " + SweepCase.shortName(o.failure());
      if (o.attempts() > cl.attempts()) {
        return what + ", " + o.attempts() + " attempts";
      }
      return what;
    }
    return "fail: " + SweepCase.shortName(o.failure());
  }

  private static String cut(String s, int width) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= width ? one : one.substring(0, width - 3) + "...";
  }

  private static String pad(String s, int width) {
    String t = s.length() >= width ? s.substring(0, width - 1) : s;
    StringBuilder sb = new StringBuilder(t);
    while (sb.length() < width) {
      sb.append(' ');
    }
    return sb.toString();
  }

  /**
   * Fails if a run (or the clean run) was wrong, with the table and each wrong run's details.
   *
   * @throws AssertionError if any run was wrong
   */
  public void assertNoWrongPoints() {
    if (cleanWrong != null || !wrong().isEmpty()) {
      throw new AssertionError(this.toString());
    }
  }

  /** @return the table, then the details of each wrong run (and of a wrong clean run, its trace) */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(table());
    if (cleanWrong != null) {
      sb.append("\nThe clean run was wrong: ").append(cleanWrong).append("\n  ")
          .append(cleanTrace.replace("\n", "\n  ")).append('\n');
    }
    List<SweepCase> wrong = wrong();
    for (int i = 0; i < wrong.size(); i++) {
      sb.append("\n(").append(i + 1).append(") ").append(wrong.get(i).details()).append('\n');
    }
    return sb.toString();
  }
}
