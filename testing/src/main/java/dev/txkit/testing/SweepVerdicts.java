package dev.txkit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** How a {@link Sweep} judges one run: a pure function of what the caller saw and what the tables hold. */
final class SweepVerdicts {

  private SweepVerdicts() {
  }

  /** A verdict with its reasons and what the tables held. */
  record Judged(SweepCase.Verdict verdict, String reason, String effect) {
  }

  /** Whether the caller saw what the clean run's caller saw: a return, or an exception of the same class. */
  static boolean sameAsClean(SweepOutcome clean, SweepOutcome o) {
    Throwable c = clean.failure();
    Throwable f = o.failure();
    if (c == null || f == null) {
      return c == null && f == null;
    }
    return c.getClass() == f.getClass();
  }

  static Judged judge(SweepOutcome clean, SweepOutcome o, SweepRun.Plan plan, boolean fired, TableState before,
      TableState after, TableState now, boolean noTables, Map<String, Set<String>> ignored, boolean expectRecovery,
      @Nullable String invariantBroken, String leaks) {
    boolean sameBefore = !noTables && before.sameAs(now, ignored);
    boolean sameAfter = !noTables && after.sameAs(now, ignored);
    String effect;
    if (noTables) {
      effect = "not compared (no tables given)";
    } else if (sameBefore && sameAfter) {
      effect = "unchanged (the clean run changes nothing either)";
    } else if (sameAfter) {
      effect = "as after the clean run";
    } else if (sameBefore) {
      effect = "as before the unit ran";
    } else {
      effect = after.diff(now, ignored);
    }
    if (!fired) {
      return new Judged(SweepCase.Verdict.NOT_REACHED, "the fault never fired: this run did not reach the point "
          + "the clean run reached (is the unit deterministic?)", effect);
    }
    List<String> reasons = new ArrayList<>();
    if (invariantBroken != null) {
      reasons.add(invariantBroken);
    }
    if (!leaks.isEmpty()) {
      reasons.add(leaks);
    }
    boolean asClean = sameAsClean(clean, o);
    String seen = o.returned() ? "a normal return" : o.seen();
    if (!noTables) {
      if (!sameBefore && !sameAfter) {
        reasons.add("the tables hold neither their state before the unit nor the clean run's result: part of the "
            + "work was committed, or the work twice");
      } else if (o.outcomeUnknown()) {
        // committed or not: both are right when the caller was told the outcome is unknown
      } else if (asClean && !sameAfter) {
        reasons.add("the caller saw " + seen + ", as in the clean run, but the work is missing: the tables are as "
            + "before the unit ran");
      } else if (!asClean && !sameBefore) {
        reasons.add("the work was committed (the tables hold the clean run's result), but the caller saw " + seen
            + ", not CommitOutcomeUnknownException");
      }
    }
    if (expectRecovery && plan.spec.recovers() && !asClean) {
      reasons.add("a " + plan.kind.label() + " failure at " + plan.site.call.point() + " reached the caller ("
          + seen + "): txkit retries it by default, so the caller should have seen "
          + (clean.returned() ? "a normal return" : clean.seen()));
    }
    if (reasons.isEmpty()) {
      return new Judged(SweepCase.Verdict.RIGHT, "", effect);
    }
    return new Judged(SweepCase.Verdict.WRONG, String.join("; ", reasons), effect);
  }
}
