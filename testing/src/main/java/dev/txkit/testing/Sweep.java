package dev.txkit.testing;

import dev.txkit.jdbc.Transactions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A failure-point sweep: runs a unit of work once cleanly to learn every point where it can fail (each
 * {@code getConnection}, begin, statement before and after, batch, result set, savepoint, commit before and after,
 * rollback, close), then once more per point and per kind of failure that makes sense there ({@link SweepKind}),
 * restoring the database before each run, and judges every run: the invariant must hold and what the caller saw
 * must match what the database holds.
 *
 * <pre>{@code
 * SweepReport report = Sweep.builder(dataSource)
 *     .tables("accounts")                                    // snapshot now, restored before every run
 *     .invariant((db, seen) -> assertEquals(300, total(db)))
 *     .unit(txs -> new BankTransfer(txs, "accounts").transfer(1, 2, 100))
 *     .build()
 *     .run();
 * report.assertNoWrongPoints();                              // the table of points x kinds, and for each wrong
 *                                                            // one its trace and the Fault code to replay it
 * }</pre>
 *
 * <p>The verdict of a run compares the tables with their state before the unit ran and after its clean run:
 * <ul>
 *   <li>a caller that saw what the clean run's caller saw (a return, or the same exception class) must find the
 *       clean run's result in the tables;</li>
 *   <li>a caller that saw {@link dev.txkit.CommitOutcomeUnknownException} may find either state;</li>
 *   <li>a caller that saw any other failure must find the tables as they were before ("committed, but the caller
 *       saw a failure that was not {@code CommitOutcomeUnknownException}" is wrong);</li>
 *   <li>any other state of the tables (half of the work, or the work twice) is wrong;</li>
 *   <li>so is a connection the unit left open, and an invariant that does not hold.</li>
 * </ul>
 * With {@link Builder#expectRecovery(boolean)}, failures that txkit retries must not reach the caller at all.
 *
 * <p>The unit must be deterministic (the same calls in the same order on every run) and run on the calling thread.
 * It gets a new {@link Transactions} in every run (so what txkit learns once per instance is learned, and swept, in
 * every run), over the sweep's {@link FaultyDataSource}, with a {@link FakeSleeper} so that retries do not wait;
 * code that needs the data source itself takes {@code txs.dataSource()}. For JUnit 5, {@link SweepTest}
 * runs one test per point and kind. Immutable; {@link #run()} may be called again.
 *
 * <p>About 330 lines, most of them the builder's documented options and the four small callback types a user
 * implements; the work is in {@code SweepRun}, {@code SweepFaults} and {@code SweepVerdicts}.
 */
public final class Sweep {

  /** The unit of work under test. */
  @FunctionalInterface
  public interface Unit {
    /**
     * Does the work once.
     *
     * @param txs transactions over the sweep's faulty data source
     * @throws Exception what the caller of the work would see
     */
    void run(Transactions txs) throws Exception;
  }

  /** A unit of work with a result, which the invariant sees ({@link SweepOutcome#value()}). */
  @FunctionalInterface
  public interface ReturningUnit {
    /**
     * Does the work once.
     *
     * @param txs transactions over the sweep's faulty data source
     * @return the result
     * @throws Exception what the caller of the work would see
     */
    @Nullable Object run(Transactions txs) throws Exception;
  }

  /** A check of the database and of what the caller saw, after every run (the clean one too). */
  @FunctionalInterface
  public interface Invariant {
    /**
     * Checks.
     *
     * @param db the real data source (no faults), to read what was persisted
     * @param outcome what the caller saw, and which fault was injected
     * @throws Exception (typically an {@link AssertionError}) when the invariant does not hold
     */
    void check(DataSource db, SweepOutcome outcome) throws Exception;
  }

  /** Puts the database back into the state the unit starts from. */
  @FunctionalInterface
  public interface Reset {
    /**
     * Resets.
     *
     * @param db the real data source
     * @throws Exception if it cannot
     */
    void reset(DataSource db) throws Exception;
  }

  final DataSource dataSource;
  final String name;
  final List<String> tables;
  final Map<String, Set<String>> ignored;
  final @Nullable Reset reset;
  final List<Invariant> invariants;
  final Consumer<Transactions.Builder> customizer;
  final Set<SweepKind> kinds;
  final boolean expectRecovery;
  final ReturningUnit unit;

  private Sweep(Builder b, ReturningUnit unit) {
    this.dataSource = b.dataSource;
    this.name = b.name;
    this.tables = List.copyOf(b.tables);
    Map<String, Set<String>> ig = new HashMap<>();
    b.ignored.forEach((t, cols) -> ig.put(t, Set.copyOf(cols)));
    this.ignored = Map.copyOf(ig);
    this.reset = b.reset;
    this.invariants = List.copyOf(b.invariants);
    this.customizer = b.customizer;
    this.kinds = Set.copyOf(b.kinds);
    this.expectRecovery = b.expectRecovery;
    this.unit = unit;
  }

  /**
   * Starts a sweep over a database.
   *
   * @param dataSource the real data source (not a {@link FaultyDataSource}: the sweep wraps it itself)
   * @return the builder
   * @throws IllegalArgumentException if it is a {@link FaultyDataSource}
   */
  public static Builder builder(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (dataSource instanceof FaultyDataSource) {
      throw new IllegalArgumentException("Give the sweep the real data source: it wraps it in a FaultyDataSource "
          + "of its own (use faultyDataSource.delegate())");
    }
    return new Builder(dataSource);
  }

  /** @return the sweep's name, as its reports and JUnit invocations show it */
  public String name() {
    return name;
  }

  /**
   * Runs the clean run, then one run per point and kind, and puts the tables back as they were.
   *
   * @return the report
   * @throws IllegalStateException if the database cannot be read or restored
   */
  public SweepReport run() {
    try (SweepRun r = new SweepRun(this)) {
      if (r.prepare()) {
        for (SweepRun.Plan p : r.plans()) {
          r.run(p);
        }
      }
      return r.report();
    }
  }

  @Override
  public String toString() {
    return "Sweep[" + name + "]";
  }

  /** Builds a {@link Sweep}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private String name = "sweep";
    private final List<String> tables = new ArrayList<>();
    private final Map<String, Set<String>> ignored = new HashMap<>();
    private @Nullable Reset reset;
    private final List<Invariant> invariants = new ArrayList<>();
    private Consumer<Transactions.Builder> customizer = b -> { };
    private final Set<SweepKind> kinds = EnumSet.complementOf(EnumSet.of(SweepKind.SILENT_ROLLBACK));
    private boolean expectRecovery;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * Names the sweep in reports.
     *
     * @param name e.g. {@code "transfer on PostgreSQL"}; default {@code "sweep"}
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a sweep's name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * The tables the unit touches: read before the clean run and after it, written back before every run, and
     * compared after every run (as multisets of rows). Listed parent tables first: rows are deleted in reverse
     * order and inserted in this order.
     *
     * @param tables table names
     * @return this builder
     * @throws IllegalArgumentException if a name is not a plain SQL identifier
     */
    public Builder tables(String... tables) {
      for (String t : tables) {
        TableState.checkName(t);
        this.tables.add(t);
      }
      return this;
    }

    /**
     * Columns left out when the tables are compared: keys the database generates differ between runs.
     *
     * @param table the table
     * @param columns its columns to ignore
     * @return this builder
     */
    public Builder ignoreColumns(String table, String... columns) {
      TableState.checkName(table);
      Set<String> set = ignored.computeIfAbsent(table.toLowerCase(Locale.ROOT), t -> new LinkedHashSet<>());
      for (String c : columns) {
        set.add(Objects.requireNonNull(c, "column").toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /**
     * Resets the database before every run instead of writing the tables back (the tables are still compared).
     *
     * @param reset the reset
     * @return this builder
     */
    public Builder reset(Reset reset) {
      this.reset = Objects.requireNonNull(reset, "reset");
      return this;
    }

    /**
     * Adds an invariant, checked after every run; all must hold.
     *
     * @param invariant the check
     * @return this builder
     */
    public Builder invariant(Invariant invariant) {
      invariants.add(Objects.requireNonNull(invariant, "invariant"));
      return this;
    }

    /**
     * Adjusts the {@link Transactions} the unit gets (rules, {@code resolveCommitOutcome}, defaults).
     *
     * @param customizer what to do to the builder
     * @return this builder
     */
    public Builder transactions(Consumer<Transactions.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /**
     * The kinds of failure to try; default all but {@link SweepKind#SILENT_ROLLBACK}.
     *
     * @param kinds the kinds
     * @return this builder
     * @throws IllegalArgumentException if none is given
     */
    public Builder kinds(SweepKind... kinds) {
      if (kinds.length == 0) {
        throw new IllegalArgumentException("give at least one kind of failure to try");
      }
      this.kinds.clear();
      for (SweepKind k : kinds) {
        this.kinds.add(Objects.requireNonNull(k, "kind"));
      }
      return this;
    }

    /**
     * Also judges wrong a run where a failure that txkit retries by default reached the caller: a transient
     * failure, and a lost connection anywhere but at {@code COMMIT}. For code that relies on txkit's retries.
     *
     * @param expect whether; default false
     * @return this builder
     */
    public Builder expectRecovery(boolean expect) {
      this.expectRecovery = expect;
      return this;
    }

    /**
     * Sets the unit of work and builds the sweep.
     *
     * @param unit the work
     * @return the sweep
     * @throws IllegalStateException if neither tables nor a reset were given
     */
    public Sweep unit(Unit unit) {
      Objects.requireNonNull(unit, "unit");
      return unitReturning(txs -> {
        unit.run(txs);
        return null;
      });
    }

    /**
     * Sets a unit of work with a result and builds the sweep.
     *
     * @param unit the work
     * @return the sweep
     * @throws IllegalStateException if neither tables nor a reset were given
     */
    public Sweep unitReturning(ReturningUnit unit) {
      Objects.requireNonNull(unit, "unit");
      if (tables.isEmpty() && reset == null) {
        throw new IllegalStateException("Every run must start from the same database: say which tables the unit "
            + "touches with tables(...) (restored and compared), or how to reset the database with reset(...)");
      }
      return new Sweep(this, unit);
    }
  }
}
