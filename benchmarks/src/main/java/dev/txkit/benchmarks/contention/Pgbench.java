package dev.txkit.benchmarks.contention;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Runs PostgreSQL's own {@code pgbench} against the database of a JDBC URL, for the side-by-side comparison:
 * {@code pgbench -i} creates its tables in a schema of their own (through {@code search_path}), and
 * {@code pgbench -M prepared -b tpcb-like} runs its built-in transaction on them.
 */
public final class Pgbench {

  private static final Pattern TPS = Pattern.compile("^tps = ([0-9.]+) \\(without initial connection time\\)",
      Pattern.MULTILINE);
  private static final Pattern PROCESSED =
      Pattern.compile("^number of transactions actually processed: (\\d+)", Pattern.MULTILINE);
  private static final Pattern FAILED = Pattern.compile("^number of failed transactions: (\\d+)", Pattern.MULTILINE);
  private static final Pattern RETRIED = Pattern.compile("^number of transactions retried: (\\d+)", Pattern.MULTILINE);
  private static final Pattern RETRIES = Pattern.compile("^total number of retries: (\\d+)", Pattern.MULTILINE);

  private final String executable;
  private final String host;
  private final String port;
  private final String database;
  private final String user;
  private final @Nullable String password;
  private final boolean synchronousCommit;

  private Pgbench(String executable, String jdbcUrl, boolean synchronousCommit) {
    this.executable = executable;
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    this.host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    this.port = uri.getPort() < 0 ? "5432" : Integer.toString(uri.getPort());
    String path = uri.getPath() == null ? "" : uri.getPath();
    this.database = path.startsWith("/") ? path.substring(1) : path;
    Map<String, String> query = query(uri.getRawQuery());
    this.user = query.getOrDefault("user", System.getProperty("user.name"));
    this.password = query.get("password");
    this.synchronousCommit = synchronousCommit;
  }

  private Pgbench(Pgbench other, String host, int port) {
    this.executable = other.executable;
    this.host = host;
    this.port = Integer.toString(port);
    this.database = other.database;
    this.user = other.user;
    this.password = other.password;
    this.synchronousCommit = other.synchronousCommit;
  }

  /**
   * The same pgbench connecting to another address (a relay that counts round trips).
   *
   * @param host the host
   * @param port the port
   * @return the copy
   */
  public Pgbench via(String host, int port) {
    return new Pgbench(this, host, port);
  }

  /**
   * Runs exactly {@code transactions} TPC-B transactions with one client ({@code -c 1 -t transactions}).
   *
   * @param schema the schema of the tables
   * @param transactions how many
   * @param serializable whether the session runs SERIALIZABLE
   * @throws IOException if pgbench fails
   */
  public void runTransactions(String schema, int transactions, boolean serializable) throws IOException {
    List<String> cmd = new ArrayList<>(connectionArgs());
    cmd.addAll(List.of("-n", "-M", "prepared", "-b", "tpcb-like", "-c", "1", "-t", Integer.toString(transactions)));
    cmd.add(database);
    exec(cmd, Map.of("PGOPTIONS", options(schema, serializable)));
  }

  /**
   * Finds pgbench on the {@code PATH} or under {@code /usr/lib/postgresql/<version>/bin}.
   *
   * @param jdbcUrl the PostgreSQL JDBC URL whose database pgbench uses
   * @param synchronousCommit the {@code synchronous_commit} setting of pgbench's sessions
   * @return pgbench, or null where it is not installed
   */
  public static @Nullable Pgbench find(String jdbcUrl, boolean synchronousCommit) {
    List<Path> candidates = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, "pgbench"));
      }
    }
    try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      versions.sorted().forEach(v -> candidates.add(v.resolve("bin/pgbench")));
    } catch (IOException | RuntimeException e) {
      // no Debian-style PostgreSQL installation
    }
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return new Pgbench(p.toString(), jdbcUrl, synchronousCommit);
      }
    }
    return null;
  }

  /**
   * {@code pgbench --version}.
   *
   * @return e.g. "pgbench (PostgreSQL) 15.20"
   * @throws IOException if it cannot run
   */
  public String version() throws IOException {
    return exec(List.of(executable, "--version"), Map.of()).trim();
  }

  /**
   * {@code pgbench -i -s scale} with its tables in {@code schema} (which must exist).
   *
   * @param scale the scale
   * @param schema the schema
   * @throws IOException if pgbench fails
   */
  public void initialize(int scale, String schema) throws IOException {
    List<String> cmd = new ArrayList<>(connectionArgs());
    cmd.addAll(List.of("-i", "-q", "-s", Integer.toString(scale)));
    cmd.add(database);
    exec(cmd, Map.of("PGOPTIONS", "-c search_path=" + schema + " -c client_min_messages=warning"));
  }

  /**
   * The command line of a run, as the report shows it.
   *
   * @param schema the schema of the tables
   * @param clients clients
   * @param seconds duration
   * @param serializable whether the sessions run SERIALIZABLE
   * @param maxTries {@code --max-tries}, 1 for none
   * @return the command with its environment
   */
  public String describe(String schema, int clients, int seconds, boolean serializable, int maxTries) {
    return "PGOPTIONS='" + options(schema, serializable) + "' " + String.join(" ",
        runArgs(clients, seconds, maxTries)).replace(executable, "pgbench");
  }

  /**
   * Runs {@code pgbench -M prepared -b tpcb-like} for {@code seconds}.
   *
   * @param schema the schema of the tables ({@link #initialize})
   * @param clients {@code -c}; {@code -j} is the smaller of it and the processor count
   * @param seconds {@code -T}
   * @param serializable whether the sessions run SERIALIZABLE ({@code default_transaction_isolation})
   * @param maxTries {@code --max-tries} (pgbench retries serialization failures and deadlocks, without backoff)
   * @return what pgbench reported
   * @throws IOException if pgbench fails or its output cannot be read
   */
  public Result run(String schema, int clients, int seconds, boolean serializable, int maxTries) throws IOException {
    String out = exec(runArgs(clients, seconds, maxTries), Map.of("PGOPTIONS", options(schema, serializable)));
    long processed = number(PROCESSED, out, "transactions processed");
    long failed = FAILED.matcher(out).find() ? number(FAILED, out, "failed") : 0;
    long retried = RETRIED.matcher(out).find() ? number(RETRIED, out, "retried") : 0;
    long retries = RETRIES.matcher(out).find() ? number(RETRIES, out, "retries") : 0;
    Matcher m = TPS.matcher(out);
    if (!m.find()) {
      throw new IOException("pgbench printed no tps line:\n" + out);
    }
    return new Result(Double.parseDouble(m.group(1)), processed, failed, retried, retries);
  }

  private List<String> runArgs(int clients, int seconds, int maxTries) {
    List<String> cmd = new ArrayList<>(connectionArgs());
    int jobs = Math.max(1, Math.min(clients, Runtime.getRuntime().availableProcessors()));
    cmd.addAll(List.of("-n", "-M", "prepared", "-b", "tpcb-like", "-c", Integer.toString(clients), "-j",
        Integer.toString(jobs), "-T", Integer.toString(seconds)));
    if (maxTries > 1) {
      cmd.add("--max-tries=" + maxTries);
    }
    cmd.add(database);
    return cmd;
  }

  private String options(String schema, boolean serializable) {
    return "-c search_path=" + schema + (synchronousCommit ? "" : " -c synchronous_commit=off")
        + (serializable ? " -c default_transaction_isolation=serializable" : "");
  }

  private List<String> connectionArgs() {
    return List.of(executable, "-h", host, "-p", port, "-U", user);
  }

  private String exec(List<String> cmd, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    if (password != null) {
      pb.environment().put("PGPASSWORD", password);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IOException("pgbench exited with " + rc + ": " + String.join(" ", cmd) + "\n" + out);
      }
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while pgbench ran", e);
    }
    return out;
  }

  private static long number(Pattern p, String out, String what) throws IOException {
    Matcher m = p.matcher(out);
    if (!m.find()) {
      throw new IOException("pgbench printed no '" + what + "' line:\n" + out);
    }
    return Long.parseLong(m.group(1));
  }

  private static Map<String, String> query(@Nullable String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int i = kv.indexOf('=');
        if (i > 0) {
          m.put(kv.substring(0, i).toLowerCase(Locale.ROOT),
              URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return m;
  }

  /**
   * What one pgbench run reported.
   *
   * @param tps committed transactions per second (pgbench counts only successful ones), without connection time
   * @param processed transactions that succeeded
   * @param failed transactions that failed (after {@code --max-tries})
   * @param retried transactions that needed at least one retry
   * @param retries retries in total
   */
  public record Result(double tps, long processed, long failed, long retried, long retries) {
    /** @return failed / (processed + failed), 0 if none ran */
    public double failedShare() {
      return processed + failed == 0 ? 0 : (double) failed / (processed + failed);
    }
  }
}
