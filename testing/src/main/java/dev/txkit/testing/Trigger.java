package dev.txkit.testing;

import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Decides whether a call at a fault's {@link Point} matches. All triggers given to {@link Fault#when} must
 * match; how many matching calls are skipped and how often the fault fires is set on the {@link Fault}
 * ({@link Fault#nth}, {@link Fault#times}). Implement it for anything the factories do not cover.
 */
@FunctionalInterface
public interface Trigger {

  /**
   * Whether the call matches.
   *
   * @param call the call
   * @return true if it matches
   */
  boolean test(Call call);

  /**
   * Statements whose SQL contains a text (case-insensitive).
   *
   * @param text the text
   * @return the trigger
   */
  static Trigger sqlContains(String text) {
    String t = Objects.requireNonNull(text, "text").toLowerCase(Locale.ROOT);
    return named(c -> c.sql() != null && c.sql().toLowerCase(Locale.ROOT).contains(t), "sql contains '" + text + "'");
  }

  /**
   * Statements whose SQL matches a regular expression somewhere ({@link java.util.regex.Matcher#find()}).
   *
   * @param regex the expression
   * @return the trigger
   */
  static Trigger sqlMatches(String regex) {
    Pattern p = Pattern.compile(Objects.requireNonNull(regex, "regex"));
    return named(c -> c.sql() != null && p.matcher(c.sql()).find(), "sql matches /" + regex + "/");
  }

  /**
   * Statements that name a table (as a whole word, case-insensitive).
   *
   * @param table the table name
   * @return the trigger
   */
  static Trigger table(String table) {
    Pattern p = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(Objects.requireNonNull(table, "table"))
        + "(?![A-Za-z0-9_])", Pattern.CASE_INSENSITIVE);
    return named(c -> c.sql() != null && p.matcher(c.sql()).find(), "table " + table);
  }

  /**
   * Statements of one kind.
   *
   * @param kind SELECT, INSERT, UPDATE, DELETE...
   * @return the trigger
   */
  static Trigger kind(StatementKind kind) {
    Objects.requireNonNull(kind, "kind");
    return named(c -> c.sql() != null && StatementKind.of(c.sql()) == kind, "kind " + kind);
  }

  /**
   * Calls made during one attempt of a txkit transaction (exact, as reported to {@link Faults#listener()}).
   *
   * @param attempt the attempt number, from 1
   * @return the trigger
   */
  static Trigger attempt(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt numbers start at 1, got " + attempt);
    }
    return named(c -> c.attempt() == attempt, "attempt " + attempt);
  }

  /**
   * Calls made in a txkit transaction of that name ({@code TxOptions.name}).
   *
   * @param name the transaction's name
   * @return the trigger
   */
  static Trigger transaction(String name) {
    Objects.requireNonNull(name, "name");
    return named(c -> name.equals(c.transaction()), "transaction '" + name + "'");
  }

  /**
   * Calls made by one thread.
   *
   * @param thread the thread
   * @return the trigger
   */
  static Trigger thread(Thread thread) {
    Objects.requireNonNull(thread, "thread");
    return named(c -> c.thread() == thread, "thread '" + thread.getName() + "'");
  }

  /**
   * Calls made by threads of that name.
   *
   * @param name the thread name
   * @return the trigger
   */
  static Trigger threadNamed(String name) {
    Objects.requireNonNull(name, "name");
    return named(c -> name.equals(c.thread().getName()), "thread '" + name + "'");
  }

  /**
   * Matches each call with a probability, drawn from a random sequence seeded by {@link Faults#seed()} (printed in
   * failure messages; set it with {@link Faults#seed(long)} to replay a run). Evaluated after the other triggers of
   * the fault, so only calls they match draw a number.
   *
   * @param p the probability, in [0, 1]
   * @return the trigger
   */
  static Trigger probability(double p) {
    if (!(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException("a probability is in [0, 1], got " + p);
    }
    return new Probability(p);
  }

  private static Trigger named(Trigger t, String description) {
    return new Trigger() {
      @Override
      public boolean test(Call call) {
        return t.test(call);
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  /** A seeded probability; its random sequence is set when the fault is injected. */
  final class Probability implements Trigger {
    private final double p;
    private Random random = new Random(0);

    private Probability(double p) {
      this.p = p;
    }

    Probability seeded(long seed) {
      Probability copy = new Probability(p);
      copy.random = new Random(seed);
      return copy;
    }

    @Override
    public boolean test(Call call) {
      return random.nextDouble() < p;
    }

    @Override
    public String toString() {
      return "probability " + p;
    }
  }
}
