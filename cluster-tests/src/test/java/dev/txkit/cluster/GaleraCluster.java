package dev.txkit.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * The three-node Galera cluster of {@code cluster/galera.sh}: its nodes' URLs, and the script's node controls
 * (kill -9, restart, pause, isolate).
 *
 * <p>The cluster is found through {@code TXKIT_GALERA_URL}, a multi-host MariaDB URL whose hosts are nodes 1, 2
 * and 3 in that order (default: the script's, {@code jdbc:mariadb:sequential://127.0.0.1:4406,127.0.0.1:4407,
 * 127.0.0.1:4408/txkit?user=root}); {@code .ci/run} starts the cluster and exports it. When the cluster is not
 * there, or not named with {@code TXKIT_GALERA_URL} (the tests kill and restart nodes, so they never touch a cluster
 * found by chance at the default address), the tests skip with a visible notice, unless
 * {@code TXKIT_REQUIRE_CLUSTER=true} ({@code .ci/run} sets
 * it), which makes them fail, as {@code TXKIT_REQUIRE_DATABASES=true} does for the PostgreSQL and MariaDB tests. A
 * flag of its own: the cluster tests kill nodes, so two builds must not share one cluster, and a build that
 * requires the two servers does not need a cluster of its own.
 */
final class GaleraCluster {

  static final String DEFAULT_URL =
      "jdbc:mariadb:sequential://127.0.0.1:4406,127.0.0.1:4407,127.0.0.1:4408/txkit?user=root";
  static final String URL = env("TXKIT_GALERA_URL", DEFAULT_URL);
  static final boolean REQUIRED = "true".equalsIgnoreCase(System.getenv("TXKIT_REQUIRE_CLUSTER"));

  /**
   * Multi-host URL parameter: the driver connects only to a node whose {@code wsrep_local_state} is 4
   * (Synced), else it tries the next host. A node that is joining, or out of the primary component, accepts
   * connections and pings but fails every statement with 1047; with a short {@code deniedListTimeout} a node
   * coming back sent one call of FailoverIT through 10 attempts of 25S03 (1 run of 4 without this, 0 of 3
   * with it).
   */
  static final String SYNCED_ONLY = "galeraAllowedState=4";

  private static final Pattern MARIADB_URL =
      Pattern.compile("jdbc:mariadb:(?:([a-z-]+):)?//([^/?]+)/([^?]*)(?:\\?(.*))?");

  private static final List<String> HOSTS;
  private static final String DATABASE;
  private static final String PARAMS;

  static {
    Matcher m = MARIADB_URL.matcher(URL);
    if (!m.matches()) {
      throw new IllegalStateException("TXKIT_GALERA_URL must be a MariaDB URL of the three nodes, "
          + "jdbc:mariadb:sequential://host1:port1,host2:port2,host3:port3/db?user=..., not " + URL);
    }
    HOSTS = List.of(m.group(2).split(","));
    if (HOSTS.size() != 3) {
      throw new IllegalStateException("TXKIT_GALERA_URL must name the cluster's three nodes, in the order of "
          + "cluster/galera.sh (node 1, 2, 3); it names " + HOSTS.size() + ": " + URL);
    }
    DATABASE = m.group(3);
    PARAMS = m.group(4) == null ? "" : m.group(4);
  }

  /** Set once {@link #require()} found the cluster: cleanup after skipped tests must not start one. */
  private static volatile boolean found;

  private GaleraCluster() {
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }

  /** @return "host:port" of node {@code n} (1, 2 or 3) */
  static String host(int n) {
    return HOSTS.get(n - 1);
  }

  /**
   * The plain (single-host) URL of one node.
   *
   * @param n node 1, 2 or 3
   * @param extraParams more URL parameters ("a=b&c=d"), or ""
   * @return the URL
   */
  static String nodeUrl(int n, String extraParams) {
    return "jdbc:mariadb://" + host(n) + "/" + DATABASE + params(extraParams);
  }

  /** @return the plain URL of node {@code n} */
  static String nodeUrl(int n) {
    return nodeUrl(n, "");
  }

  /**
   * A multi-host URL.
   *
   * @param mode "sequential" or "loadbalance"
   * @param extraParams more URL parameters, or ""
   * @param nodes the nodes, in the order the driver should try them
   * @return the URL
   */
  static String multiHostUrl(String mode, String extraParams, int... nodes) {
    StringBuilder hosts = new StringBuilder();
    for (int n : nodes) {
      hosts.append(hosts.length() == 0 ? "" : ",").append(host(n));
    }
    // The driver keeps a host that failed out of every multi-host connection of the JVM for deniedListTimeout
    // (60 s by default): a node killed by one test would still be avoided by the next tests. One second here.
    String params = "deniedListTimeout=1000" + (extraParams.isEmpty() ? "" : "&" + extraParams);
    return "jdbc:mariadb:" + mode + "://" + hosts + "/" + DATABASE + params(params);
  }

  private static String params(String extra) {
    if (PARAMS.isEmpty()) {
      return extra.isEmpty() ? "" : "?" + extra;
    }
    return "?" + PARAMS + (extra.isEmpty() ? "" : "&" + extra);
  }

  /**
   * Skips the current test (or fails it, when databases are required) if the cluster is not reachable, and
   * makes sure all three nodes are Synced in one cluster of three (restarting nodes an earlier test left down).
   */
  static void require() {
    if (!REQUIRED && System.getenv("TXKIT_GALERA_URL") == null) {
      // the tests kill and restart nodes: never those of a cluster found by chance at the default address
      String msg = "the cluster tests kill nodes, so they run only on a cluster named with TXKIT_GALERA_URL or "
          + "when TXKIT_REQUIRE_CLUSTER=true (.ci/run sets both)";
      System.err.println("NOTICE: skipping Galera cluster tests: " + msg);
      Assumptions.abort("skipped: " + msg);
    }
    List<String> down = new ArrayList<>();
    List<String> notSynced = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      String state = state(n, down);
      if (state != null && !state.equals("Synced 3")) {
        notSynced.add("node " + n + ": " + state);
      }
    }
    if (down.size() == 3) {
      String msg = "the Galera cluster is not reachable at " + URL + ": " + down + "; start it with "
          + "cluster/galera.sh start (and set TXKIT_GALERA_URL if it runs elsewhere)";
      if (REQUIRED) {
        throw new AssertionError("TXKIT_REQUIRE_CLUSTER=true but " + msg);
      }
      System.err.println("NOTICE: skipping Galera cluster tests: " + msg);
      Assumptions.abort("skipped: " + msg);
    }
    found = true;
    if (!down.isEmpty() || !notSynced.isEmpty()) {
      // an earlier test left a node down or joining: the script brings it back and waits until all are Synced
      System.out.println("[cluster] not all nodes are Synced (" + down + notSynced + "); restoring the cluster");
      script("start");
    }
  }

  /** "state size" of node {@code n}, e.g. "Synced 3", or null (and a line in {@code down}) if it is down. */
  private static String state(int n, List<String> down) {
    try (Connection c = DriverManager.getConnection(nodeUrl(n, "connectTimeout=2000"));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
            + "WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'), (SELECT VARIABLE_VALUE FROM "
            + "information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_SIZE')")) {
      rs.next();
      return rs.getString(1) + " " + rs.getString(2);
    } catch (SQLException e) {
      down.add("node " + n + " at " + host(n) + " (" + e.getMessage() + ")");
      return null;
    }
  }

  /**
   * Runs a command of {@code cluster/galera.sh} and waits for it.
   *
   * @param args the command and its arguments
   * @return what the script printed on standard output, trimmed
   * @throws IllegalStateException if it fails
   */
  static String script(String... args) {
    Path script = scriptPath();
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    try {
      Path err = Files.createTempFile("galera-script", ".log");
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectInput(
            ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = pb.environment();
        environment.putIfAbsent("TXKIT_GALERA_TIMEOUT", "120");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(String.join(" ", cmd) + " did not finish within 180 s");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8).trim();
        if (!stderr.isEmpty()) {
          System.out.println("[cluster] " + stderr.replace("\n", "\n[cluster] "));
        }
        if (p.exitValue() != 0) {
          throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): "
              + stderr);
        }
        return new String(out, StandardCharsets.UTF_8).trim();
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
    }
  }

  private static Path scriptPath() {
    String path = env("TXKIT_GALERA_SCRIPT", System.getProperty("txkit.galera.script", "../cluster/galera.sh"));
    Path p = Path.of(path).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("the cluster script is not at " + p + "; set TXKIT_GALERA_SCRIPT");
    }
    return p;
  }

  /** kill -9 node {@code n} by the pid the script recorded; returns once the process is gone. */
  static void kill(int n) {
    script("kill", String.valueOf(n));
  }

  /** (Re)starts node {@code n} and waits until it is Synced in the cluster of three. */
  static void startNode(int n) {
    script("start-node", String.valueOf(n));
  }

  /** SIGSTOP node {@code n}. */
  static void pause(int n) {
    script("pause", String.valueOf(n));
  }

  /** SIGCONT node {@code n}. */
  static void resume(int n) {
    script("resume", String.valueOf(n));
  }

  /** Cuts node {@code n} off the group; returns once it reports non-Primary. */
  static void isolate(int n) {
    script("isolate", String.valueOf(n));
  }

  /** Undoes {@link #isolate}; returns once node {@code n} is Synced again. */
  static void rejoin(int n) {
    script("rejoin", String.valueOf(n));
  }

  /**
   * Waits until all three nodes are Synced in one cluster (restarting any that is down). Does nothing when
   * {@link #require()} did not find the cluster (the tests were skipped).
   */
  static void awaitAllSynced() {
    if (found) {
      script("start");
    }
  }

  /** @return whether {@link #require()} found the cluster, for cleanup after tests that may have been skipped */
  static boolean found() {
    return found;
  }

  /**
   * A plain connection to one node, autocommit on.
   *
   * @param n the node
   * @return the connection
   * @throws SQLException if connecting fails
   */
  static Connection connect(int n) throws SQLException {
    return DriverManager.getConnection(nodeUrl(n));
  }

  /**
   * Runs statements on a node with autocommit (DDL replicates to the other nodes).
   *
   * @param n the node
   * @param sql the statements
   */
  static void exec(int n, String... sql) {
    try (Connection c = connect(n); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("setup on node " + n + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Waits until every node has applied what was committed before, e.g. DDL just run on node 1: each node
   * applies another node's DDL in order but after the statement returned there.
   *
   * @param tables tables that must exist everywhere
   */
  static void awaitOnAllNodes(String... tables) {
    for (int n = 1; n <= 3; n++) {
      for (String t : tables) {
        queryLong(n, "SELECT COUNT(*) FROM " + t);
      }
    }
  }

  /**
   * Reads one number on a node after it has applied everything committed anywhere in the cluster before the
   * read ({@code wsrep_sync_wait=1}).
   *
   * @param n the node
   * @param sql a query returning one number
   * @param args its parameters
   * @return the number
   */
  static long queryLong(int n, String sql, Object... args) {
    try (Connection c = connect(n)) {
      try (Statement st = c.createStatement()) {
        st.execute("SET SESSION wsrep_sync_wait = 1");
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setObject(i + 1, args[i]);
        }
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalStateException("no row: " + sql);
          }
          return rs.getLong(1);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("query on node " + n + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A HikariCP pool over a JDBC URL.
   *
   * @param url the URL
   * @param maxSize the pool size
   * @param name the pool name
   * @return the pool; close it
   */
  static HikariDataSource pool(String url, int maxSize, String name) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(maxSize);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(10_000);
    config.setPoolName(name);
    return new HikariDataSource(config);
  }

  /**
   * A HikariCP pool over a {@link DataSource} (for a driver-level proxy below the pool).
   *
   * @param dataSource the connections' source
   * @param maxSize the pool size
   * @param name the pool name
   * @return the pool; close it
   */
  static HikariDataSource pool(DataSource dataSource, int maxSize, String name) {
    return pool(dataSource, maxSize, 0, name);
  }

  /**
   * A HikariCP pool over a {@link DataSource} that keeps {@code minIdle} connections open: with a multi-host
   * {@code loadbalance} URL they are spread over the nodes from the start, however few transactions run at once.
   *
   * @param dataSource the connections' source
   * @param maxSize the pool size
   * @param minIdle connections kept open
   * @param name the pool name
   * @return the pool; close it
   */
  static HikariDataSource pool(DataSource dataSource, int maxSize, int minIdle, String name) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(dataSource);
    config.setMaximumPoolSize(maxSize);
    config.setMinimumIdle(minIdle);
    config.setConnectionTimeout(10_000);
    config.setPoolName(name);
    return new HikariDataSource(config);
  }
}
