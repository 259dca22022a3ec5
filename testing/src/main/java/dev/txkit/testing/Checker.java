package dev.txkit.testing;

import java.util.Objects;
import javax.sql.DataSource;

/**
 * Judges a {@link History} of a {@link WorkloadRunner} run, together with the final state of the database, e.g.
 * "every acknowledged transfer was applied exactly once".
 *
 * <pre>{@code
 * Checker noLostUpdates = Checker.of("no lost updates", (history, db) ->
 *     count(db) == history.count("insert", History.Outcome.OK)
 *         ? Checker.Result.valid("all rows present") : Checker.Result.invalid("rows are missing"));
 * }</pre>
 */
public interface Checker {

  /**
   * A checker's verdict.
   *
   * @param valid whether the history is valid
   * @param detail what was checked, and what was wrong
   */
  record Result(boolean valid, String detail) {

    /**
     * A valid history.
     *
     * @param detail what was checked
     * @return the result
     */
    public static Result valid(String detail) {
      return new Result(true, detail);
    }

    /**
     * An invalid history.
     *
     * @param detail what was wrong
     * @return the result
     */
    public static Result invalid(String detail) {
      return new Result(false, detail);
    }
  }

  /** The body of a checker made with {@link #of}. */
  @FunctionalInterface
  interface Check {
    /**
     * Checks.
     *
     * @param history the history
     * @param db the real data source, to read the final state
     * @return the verdict
     * @throws Exception if the check cannot run (reported as invalid)
     */
    Result check(History history, DataSource db) throws Exception;
  }

  /** @return the checker's name, as the summary shows it */
  String name();

  /**
   * Checks a history.
   *
   * @param history the history
   * @param db the real data source (no faults), to read the final state
   * @return the verdict
   * @throws Exception if the check cannot run (reported as invalid)
   */
  Result check(History history, DataSource db) throws Exception;

  /**
   * A checker from a name and a function.
   *
   * @param name the name
   * @param check the check
   * @return the checker
   */
  static Checker of(String name, Check check) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(check, "check");
    return new Checker() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Result check(History history, DataSource db) throws Exception {
        return check.check(history, db);
      }

      @Override
      public String toString() {
        return "Checker[" + name + "]";
      }
    };
  }
}
