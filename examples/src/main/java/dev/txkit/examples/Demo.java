package dev.txkit.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.FailureKind;
import dev.txkit.examples.TransferRace.Result;
import dev.txkit.examples.TransferRace.Settings;
import dev.txkit.examples.TransferRace.Strategy;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The demo: {@link TransferRace} run three ways one after the other (hand-written, {@code inTransaction},
 * {@code inTransaction} with {@code lockRows}), each with a progress bar, then one table of what happened, the
 * money counted in the database. Embedded H2 by default:
 * {@code mvn -q -pl examples -am test-compile exec:java}; a server with
 * {@code -Dexec.args="--url jdbc:postgresql://127.0.0.1:5432/test?user=postgres"}.
 */
@Command(name = "txkit-demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Concurrent transfers between a few hot accounts, with failures injected now and then, run "
        + "three ways: hand-written try/catch/rollback, txkit's inTransaction, and inTransaction with lockRows.")
public final class Demo implements Callable<Integer> {

  /** The embedded database the demo uses without {@code --url}. */
  public static final String H2_URL = "jdbc:h2:mem:txkit-demo;DB_CLOSE_DELAY=-1";

  private static final String TABLE = "txkit_demo_accounts";
  // jline (under the progress bar) logs through java.util.logging when the output is not a terminal
  private static final Logger JLINE = Logger.getLogger("org.jline");

  @Spec
  private CommandSpec spec;

  @Option(names = "--url", paramLabel = "JDBC-URL",
      description = "jdbc:postgresql://... or jdbc:mariadb://... (default: embedded H2)")
  private String url = H2_URL;

  @Option(names = "--threads", description = "threads transferring at the same time (default: ${DEFAULT-VALUE})")
  private int threads = 8;

  @Option(names = "--seconds", description = "how long each of the three runs lasts (default: ${DEFAULT-VALUE})")
  private double seconds = 6;

  @Option(names = "--accounts", description = "hot accounts the transfers move money between (default: "
      + "${DEFAULT-VALUE})")
  private int accounts = 4;

  @Option(names = "--fault-rate", description = "probability that an update meets an injected deadlock or "
      + "dropped connection (default: ${DEFAULT-VALUE})")
  private double faultRate = 0.002;

  @Option(names = "--seed", description = "seeds the transfers and the injected failures (default: "
      + "${DEFAULT-VALUE})")
  private long seed = 42;

  @Option(names = "--no-progress", description = "no progress bars")
  private boolean noProgress;

  private final List<Result> results = new ArrayList<>();

  /**
   * Runs the demo; exits with a non-zero status on bad options or a failure.
   *
   * @param args the options, see {@code --help}
   */
  public static void main(String[] args) {
    // The demo tells its own story: no SLF4J notice that no logging backend is on the class path.
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
    int status = run(new Demo(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Parses the options and runs the demo.
   *
   * @param demo the command
   * @param out where the table goes
   * @param err where errors and usage go
   * @param args the options
   * @return the exit status: 0, or 2 for bad options, 1 for a failure
   */
  public static int run(Demo demo, PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(demo).setOut(out).setErr(err).execute(args);
  }

  /** @return the results of the last run, one per strategy */
  List<Result> results() {
    return List.copyOf(results);
  }

  @Override
  public Integer call() throws Exception {
    Settings settings;
    try {
      settings = new Settings(threads, Duration.ofMillis(Math.round(seconds * 1000)), accounts, faultRate, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage() + " (see --help)");
    }
    PrintWriter out = spec.commandLine().getOut();
    JLINE.setLevel(Level.OFF);
    results.clear();
    try (HikariDataSource pool = pool(url, threads)) {
      TransferRace race = new TransferRace(pool, TABLE);
      out.printf(Locale.ROOT, "txkit demo on %s%s: %d threads move money between %d accounts of %s each for "
              + "%s s per strategy;%n  about 1 update in %d meets an injected deadlock or dropped connection.%n%n",
          race.database(), url.equals(H2_URL) ? " (embedded, in memory)" : "", threads, accounts,
          money(Settings.OPENING_BALANCE), trim(seconds), Math.max(1, Math.round(1 / Math.max(faultRate, 1e-9))));
      out.flush();
      try {
        for (Strategy strategy : Strategy.values()) {
          results.add(runOne(race, strategy, settings));
        }
      } finally {
        race.dropSchema();
      }
    }
    printTable(out, results);
    if (url.startsWith("jdbc:postgresql:") && results.stream().anyMatch(r -> r.realDeadlocks() > 0)) {
      out.println();
      out.println("PostgreSQL detects a deadlock only after deadlock_timeout (1 s by default): until then the "
          + "transactions\ninvolved wait, which is why the two columns without lockRows commit so few transfers.");
    }
    out.flush();
    return 0;
  }

  private Result runOne(TransferRace race, Strategy strategy, Settings settings) throws InterruptedException {
    if (noProgress) {
      return race.run(strategy, settings, (elapsed, commits) -> { });
    }
    long tenths = Math.max(1, settings.duration().toMillis() / 100);
    try (ProgressBar bar = new ProgressBarBuilder()
        .setTaskName(String.format(Locale.ROOT, "%-14s", strategy.label()))
        .setInitialMax(tenths)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(100)
        .hideEta()
        .continuousUpdate()
        .build()) {
      Result r = race.run(strategy, settings, (elapsed, commits) -> {
        bar.stepTo(Math.min(tenths, elapsed.toMillis() / 100));
        bar.setExtraMessage(commits + " commits");
      });
      bar.stepTo(tenths);
      bar.setExtraMessage(r.commits() + " commits");
      return r;
    }
  }

  private static HikariDataSource pool(String url, int threads) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(threads + 2);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(10_000);
    config.setPoolName("txkit-demo");
    return new HikariDataSource(config);
  }

  /** Prints the three results side by side. */
  static void printTable(PrintWriter out, List<Result> results) {
    out.println();
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-36s", ""));
    for (Result r : results) {
      head.append(String.format(Locale.ROOT, "%18s", r.strategy().label()));
    }
    out.println(head);
    out.println("-".repeat(head.length()));
    row(out, results, "transfers committed", r -> count(r.commits()));
    row(out, results, "  per second", r -> count(Math.round(r.commits() / Math.max(0.001,
        r.elapsed().toMillis() / 1000.0))));
    row(out, results, "told \"insufficient funds\"", r -> count(r.insufficientFunds()));
    row(out, results, "errors seen by callers", r -> count(r.callerErrors()));
    row(out, results, "failed statements logged and ignored",
        r -> r.strategy() == Strategy.HAND_WRITTEN ? count(r.ignoredStatementFailures()) : "-");
    Set<FailureKind> kinds = EnumSet.noneOf(FailureKind.class);
    results.forEach(r -> kinds.addAll(r.retries().keySet()));
    row(out, results, "retries", r -> r.strategy() == Strategy.HAND_WRITTEN ? "none" : count(r.totalRetries()));
    for (FailureKind kind : kinds) {
      row(out, results, "  " + kind.name().toLowerCase(Locale.ROOT).replace('_', ' '),
          r -> r.strategy() == Strategy.HAND_WRITTEN ? "-" : count(r.retries().getOrDefault(kind, 0L)));
    }
    row(out, results, "deadlocks raised by the database", r -> count(r.realDeadlocks()));
    row(out, results, "deadlocks injected by the kit", r -> count(r.injectedDeadlocks()));
    row(out, results, "connections dropped by the kit", r -> count(r.injectedDrops()));
    row(out, results, "money in the database", r -> money(r.actualTotal()));
    row(out, results, "  against the opening total", r -> r.moneyConserved() ? "conserved"
        : (r.actualTotal() > r.expectedTotal() ? "+" : "") + money(r.actualTotal() - r.expectedTotal()));
    row(out, results, "negative balances", r -> count(r.negativeBalances()));
    row(out, results, "txkit call latency p50 / p99", r -> r.txkitCalls().isEmpty() ? "-"
        : millis(r.txkitCalls().get(0).p50Nanos()) + " / " + millis(r.txkitCalls().get(0).p99Nanos()));
    out.println();
    if (!results.isEmpty()) {
      out.printf(Locale.ROOT, "Opening total %s. Every figure is from this run; the money is counted with one "
          + "SELECT SUM(balance) after each run.%n", money(results.get(0).expectedTotal()));
    }
    out.println("hand-written:  examples/src/main/java/dev/txkit/examples/HandWrittenTransfer.java");
    out.println("inTransaction: examples/src/main/java/dev/txkit/examples/TransferRace.java");
    out.println("+ lockRows:    examples/src/main/java/dev/txkit/examples/BankTransfer.java");
    out.println("(latency of txkit's calls, retries included, from a TransactionSummary listener)");
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  private static void row(PrintWriter out, List<Result> results, String label, Function<Result, String> cell) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-36s", label));
    for (Result r : results) {
      sb.append(String.format(Locale.ROOT, "%18s", cell.apply(r)));
    }
    out.println(sb);
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Cents as {@code 1,234.56}, negative with a sign. */
  static String money(long cents) {
    return String.format(Locale.ROOT, "%s%,d.%02d", cents < 0 ? "-" : "", Math.abs(cents) / 100, Math.abs(cents) % 100);
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
