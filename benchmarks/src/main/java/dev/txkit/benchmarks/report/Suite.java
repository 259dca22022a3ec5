package dev.txkit.benchmarks.report;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.benchmarks.InterleavedOverhead;
import dev.txkit.benchmarks.RoundTrips;
import dev.txkit.benchmarks.contention.ContentionRun;
import dev.txkit.benchmarks.contention.Pgbench;
import dev.txkit.benchmarks.contention.PgbenchRun;
import dev.txkit.benchmarks.contention.RunResult;
import dev.txkit.benchmarks.contention.SingleClientCost;
import dev.txkit.benchmarks.contention.StrategyKind;
import dev.txkit.benchmarks.contention.Target;
import dev.txkit.benchmarks.contention.TpcbWorkload;
import dev.txkit.benchmarks.contention.TransferWorkload;
import dev.txkit.benchmarks.contention.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one command: runs the contention harness (with pgbench beside it), the uncontended overhead comparison and
 * the round-trip count, then writes {@code docs/benchmarks.md} and the SVG charts. {@code bash benchmarks/run.sh
 * --help} lists the options; benchmarks/README.md explains them. Over 300 lines because about half of it is the
 * declaration of its options, which picocli wants in one class.
 */
@Command(name = "run.sh", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs txkit's benchmarks and writes docs/benchmarks.md with SVG charts.")
public final class Suite implements Callable<Integer> {

  @Option(names = "--plan", description = "quick (default: covers every target of issue 11 in a few minutes) or "
      + "full (every workload on every database at every thread count)")
  String plan = "quick";

  @Option(names = "--duration", description = "measured milliseconds per run (default ${DEFAULT-VALUE})")
  long durationMillis = 1000;

  @Option(names = "--rounds", description = "interleaved rounds per cell; the report quotes medians "
      + "(default ${DEFAULT-VALUE})")
  int rounds = 3;

  @Option(names = "--warmup", description = "milliseconds per strategy before each group, not measured "
      + "(default ${DEFAULT-VALUE})")
  long warmupMillis = 300;

  @Option(names = "--threads", split = ",", description = "thread counts of the curves (default 2,4,8,16,32)")
  List<Integer> threads = new ArrayList<>(List.of(2, 4, 8, 16, 32));

  @Option(names = "--accounts", description = "hot accounts of the transfer workloads (default ${DEFAULT-VALUE})")
  int accounts = 10;

  @Option(names = "--only", split = ",", description = "run only these groups: a target (pg-serializable, "
      + "pg-read-committed, mariadb-repeatable-read, h2), or target/workload (e.g. pg-serializable/tpcb-1)")
  List<String> only = new ArrayList<>();

  @Option(names = "--strategies", split = ",", description = "strategies to compare (default all: hand-no-retry, "
      + "hand-retry, hand-backoff, txkit, txkit-limit-only, txkit-escalation-only, txkit-no-control)")
  List<String> strategies = new ArrayList<>();

  @Option(names = "--pg-synchronous-commit", description = "keep synchronous_commit on in PostgreSQL sessions "
      + "(default: off in txkit's and pgbench's sessions alike)")
  boolean synchronousCommit;

  @Option(names = "--pg-deadlock-timeout", description = "deadlock_timeout in ms for the harness's PostgreSQL "
      + "sessions (default 0: the server's, 1 s unless configured)")
  int deadlockTimeoutMillis;

  @Option(names = "--no-pgbench", description = "do not run pgbench beside the TPC-B cells")
  boolean noPgbench;

  @Option(names = "--no-contention", description = "skip the contention harness")
  boolean noContention;

  @Option(names = "--no-overhead", description = "skip the uncontended overhead and round trips")
  boolean noOverhead;

  @Option(names = "--overhead-rounds", description = "rounds of the overhead comparison (default ${DEFAULT-VALUE})")
  int overheadRounds = 10;

  @Option(names = "--overhead-slice", description = "milliseconds per variant and round (default ${DEFAULT-VALUE})")
  long overheadSliceMillis = 200;

  @Option(names = "--round-trip-transactions", description = "transactions per variant in the round-trip count "
      + "(default ${DEFAULT-VALUE})")
  int roundTripTransactions = 500;

  @Option(names = "--out", description = "directory for benchmarks.md and the charts (default ${DEFAULT-VALUE})")
  Path out = Path.of("docs");

  @Option(names = "--keep-tables", description = "leave the benchmark tables in the databases afterwards")
  boolean keepTables;

  @Option(names = "--seed", description = "seed of the workloads' random numbers (default ${DEFAULT-VALUE})")
  long seed = 11;

  @Option(names = "--note", description = "a sentence printed at the top of the report (e.g. why this run)")
  @Nullable String note;

  private String[] args = new String[0];

  /**
   * Runs the suite.
   *
   * @param args see {@code --help}
   */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    Suite suite = new Suite();
    suite.args = args.clone();
    System.exit(new CommandLine(suite).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    validate();
    Instant started = Instant.now();
    String loadBefore = Machine.loadAverage();
    List<StrategyKind> kinds = kinds();
    ContentionRun.Settings settings = new ContentionRun.Settings(synchronousCommit, deadlockTimeoutMillis, seed);
    @Nullable Pgbench pgbench = noPgbench ? null : Pgbench.find(Target.PG_READ_COMMITTED.url(), synchronousCommit);
    List<Group> groups = noContention ? List.of() : selected(plan.equals("full")
        ? Plan.full(threads, pgbench != null) : Plan.quick(threads, pgbench != null));
    boolean usesPostgres = !noOverhead || groups.stream().anyMatch(g -> g.target().isPostgres());
    boolean usesMariaDb = groups.stream().anyMatch(g -> g.target().isMariaDb());
    requireReachable(groups, usesPostgres);
    Map<String, String> machine = Machine.describe(usesPostgres, usesMariaDb, pgbench);

    Results results = new Results();
    Map<String, Workload> setUp = new LinkedHashMap<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    Map<String, List<SingleClientCost.Cost>> costs = new LinkedHashMap<>();
    try {
      for (Group g : groups) {
        Workload w = runGroup(g, kinds, settings, pgbench, results, setUp);
        descriptions.put(g.id(), w.description());
        if (g.target().isPostgres() && w instanceof TpcbWorkload) {
          progress("%s: round trips and allocation of one client, %d transactions", g.id(), roundTripTransactions);
          costs.put(g.id(), SingleClientCost.measure(g.target(), (TpcbWorkload) w,
              List.of(StrategyKind.HAND_NO_RETRY, StrategyKind.TXKIT), pgbench, roundTripTransactions, settings));
        }
      }
    } finally {
      if (!keepTables) {
        for (Map.Entry<String, Workload> e : setUp.entrySet()) {
          Target t = Target.of(e.getKey().substring(0, e.getKey().indexOf('|')));
          try (Connection c = DriverManager.getConnection(t.url())) {
            e.getValue().tearDown(c);
          }
        }
      }
    }

    List<InterleavedOverhead.Result> overhead = new ArrayList<>();
    List<RoundTrips.Count> roundTrips = List.of();
    if (!noOverhead) {
      progress("overhead: h2, %d rounds of %d ms", overheadRounds, overheadSliceMillis);
      overhead.add(InterleavedOverhead.measure("h2", overheadRounds, overheadSliceMillis, 3));
      progress("overhead: postgres, %d rounds of %d ms", overheadRounds, overheadSliceMillis);
      overhead.add(InterleavedOverhead.measure("postgres", overheadRounds, overheadSliceMillis, 3));
      progress("round trips: %d transactions per variant", roundTripTransactions);
      roundTrips = RoundTrips.count(roundTripTransactions);
    }

    Files.createDirectories(out);
    Report report = new Report(command(), settingsText(kinds, pgbench), note, started, Instant.now(), loadBefore,
        Machine.loadAverage(), machine, groups, descriptions, kinds, results, costs, overhead, roundTrips,
        pgbench != null);
    List<Path> written = report.write(out);
    written.forEach(p -> progress("wrote %s", p));
    return 0;
  }

  private Workload runGroup(Group g, List<StrategyKind> kinds, ContentionRun.Settings settings,
      @Nullable Pgbench pgbench, Results results, Map<String, Workload> setUp) throws Exception {
    String key = g.target().id().replace("-read-committed", "-serializable") + "|" + g.workload();
    Workload w = setUp.get(key);
    if (w == null) {
      w = workload(g.target(), g.workload(), pgbench);
      progress("set up %s on %s", g.workload(), g.target().id());
      try (Connection c = DriverManager.getConnection(g.target().url())) {
        w.setUp(g.target(), c);
      }
      setUp.put(key, w);
    }
    int warmThreads = g.threads().get(g.threads().size() / 2);
    try (HikariDataSource pool = ContentionRun.openPool(g.target(), warmThreads, settings)) {
      for (StrategyKind k : kinds) {
        ContentionRun.run(g.target(), w, k, warmThreads, warmupMillis, -1, settings, pool);
      }
    }
    int seconds = (int) Math.max(1, Math.round(durationMillis / 1000.0));
    for (int r = 0; r < rounds; r++) {
      for (int ti = 0; ti < g.threads().size(); ti++) {
        int n = g.threads().get(ti);
        List<String> slots = new ArrayList<>();
        kinds.forEach(k -> slots.add(k.id()));
        if (g.pgbench() && pgbench != null) {
          slots.add(PgbenchRun.ID);
        }
        HikariDataSource pool = null;
        try {
          for (int s = 0; s < slots.size(); s++) {
            // rotate the order every round and thread count, so no strategy always runs right after another
            String slot = slots.get((s + r + ti) % slots.size());
            RunResult res;
            if (slot.equals(PgbenchRun.ID)) {
              // pgbench's N sessions and the pool's N never exist together: max_connections is shared
              if (pool != null) {
                pool.close();
                pool = null;
              }
              // the plan has pgbench slots only when pgbench was found
              res = PgbenchRun.run(java.util.Objects.requireNonNull(pgbench), g.target(), (TpcbWorkload) w, n,
                  seconds, r);
            } else {
              if (pool == null) {
                pool = ContentionRun.openPool(g.target(), n, settings);
              }
              res = ContentionRun.run(g.target(), w, StrategyKind.of(slot), n, durationMillis, r, settings, pool);
            }
            results.add(res);
          progress("%s round %d, %2d threads, %-16s %9.0f tx/s, %5.2f attempts/commit, %d errors%s", g.id(), r, n,
              slot, res.goodput(), res.attemptsPerCommit(), res.errors(),
              res.invariant() == null ? "" : ", INVARIANT VIOLATED: " + res.invariant());
          }
        } finally {
          if (pool != null) {
            pool.close();
          }
        }
      }
    }
    return w;
  }

  private Workload workload(Target t, String id, @Nullable Pgbench pgbench) {
    switch (id) {
      case "transfer-random":
        return new TransferWorkload(TransferWorkload.Order.RANDOM, accounts);
      case "transfer-ordered":
        return new TransferWorkload(TransferWorkload.Order.KEY, accounts);
      case "transfer-lockrows":
        return new TransferWorkload(TransferWorkload.Order.LOCK_ROWS, accounts);
      case "tpcb-1":
        return new TpcbWorkload(1, t, pgbench);
      case "tpcb-10":
        return new TpcbWorkload(10, t, pgbench);
      default:
        throw new IllegalArgumentException("Unknown workload '" + id + "'; use one of " + Plan.WORKLOADS);
    }
  }

  private void validate() {
    if (!plan.equals("quick") && !plan.equals("full")) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--plan must be quick or full, was " + plan);
    }
    if (durationMillis < 100 || rounds < 1 || warmupMillis < 0 || overheadRounds < 1 || overheadSliceMillis < 10
        || roundTripTransactions < 1 || accounts < 2) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--duration must be at least 100 ms, "
          + "--rounds and --overhead-rounds at least 1, --overhead-slice at least 10 ms, --accounts at least 2");
    }
    if (threads.isEmpty() || threads.stream().anyMatch(n -> n < 1 || n > 64)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--threads must list counts from 1 to 64 "
          + "(PostgreSQL's max_connections is shared), was " + threads);
    }
    try {
      strategies.forEach(StrategyKind::of);
      only.forEach(o -> Target.of(o.contains("/") ? o.substring(0, o.indexOf('/')) : o));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
    }
    for (String o : only) {
      if (o.contains("/") && !Plan.WORKLOADS.contains(o.substring(o.indexOf('/') + 1))) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--only " + o + ": unknown workload; use "
            + "one of " + Plan.WORKLOADS);
      }
    }
  }

  private List<StrategyKind> kinds() {
    List<StrategyKind> k = new ArrayList<>();
    if (strategies.isEmpty()) {
      k.addAll(List.of(StrategyKind.values()));
    } else {
      strategies.forEach(s -> k.add(StrategyKind.of(s)));
    }
    return k;
  }

  private List<Group> selected(List<Group> groups) {
    if (only.isEmpty()) {
      return groups;
    }
    List<Group> out = new ArrayList<>();
    for (Group g : groups) {
      if (only.contains(g.target().id()) || only.contains(g.id())) {
        out.add(g);
      }
    }
    for (String o : only) {
      if (out.stream().noneMatch(g -> g.target().id().equals(o) || g.id().equals(o))) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--only " + o + " matches no group of the "
            + plan + " plan" + (plan.equals("quick") ? "; --plan full has every workload on every target" : ""));
      }
    }
    return out;
  }

  private static void requireReachable(List<Group> groups, boolean usesPostgres) {
    List<Target> check = new ArrayList<>();
    if (usesPostgres) {
      check.add(Target.PG_READ_COMMITTED);
    }
    if (groups.stream().anyMatch(g -> g.target().isMariaDb())) {
      check.add(Target.MARIADB_REPEATABLE_READ);
    }
    for (Target t : check) {
      try (Connection c = DriverManager.getConnection(t.url())) {
        c.isValid(5);
      } catch (Exception e) {
        throw new IllegalStateException("Cannot connect to " + t.label() + " at " + t.url() + " (" + e.getMessage()
            + "). Start the server, set TXKIT_PG_URL / TXKIT_MARIADB_URL, or leave it out with --only (and "
            + "--no-overhead for PostgreSQL)", e);
      }
    }
  }

  private String command() {
    String c = System.getenv("TXKIT_BENCH_COMMAND");
    if (c != null && !c.isBlank()) {
      return c;
    }
    return "java -cp benchmarks/target/benchmarks.jar " + Suite.class.getName() + " " + String.join(" ", args);
  }

  private String settingsText(List<StrategyKind> kinds, @Nullable Pgbench pgbench) {
    List<String> k = new ArrayList<>();
    kinds.forEach(x -> k.add(x.id()));
    return String.format(Locale.ROOT, "plan %s; %d ms per run, %d interleaved rounds per cell, %d ms warm-up per "
        + "strategy and group; thread counts %s; %d hot accounts; strategies %s; PostgreSQL synchronous_commit "
        + "%s, deadlock_timeout %s; pgbench %s; overhead %s; seed %d", plan, durationMillis, rounds, warmupMillis,
        threads, accounts, k, synchronousCommit ? "on" : "off", deadlockTimeoutMillis == 0 ? "the server's"
        : deadlockTimeoutMillis + " ms", pgbench == null ? "not run" : "-T " + Math.max(1,
        Math.round(durationMillis / 1000.0)) + " s per run",
        noOverhead ? "not run" : overheadRounds + " rounds of " + overheadSliceMillis + " ms slices, "
        + roundTripTransactions + " transactions per variant counted for round trips", seed);
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }
}
