package dev.txkit.benchmarks.report;

import dev.txkit.benchmarks.contention.Pgbench;
import dev.txkit.benchmarks.contention.Target;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/** What the report says about the machine and the software a suite ran on. */
final class Machine {

  private Machine() {
  }

  /**
   * Describes the machine, the JDK, the libraries and every database the plan uses.
   *
   * @param usesPostgres whether PostgreSQL is in the plan
   * @param usesMariaDb whether MariaDB is
   * @param pgbench pgbench, or null
   * @return label to value, in report order
   */
  static Map<String, String> describe(boolean usesPostgres, boolean usesMariaDb, @Nullable Pgbench pgbench) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Processors (nproc)", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("CPU", firstValue("/proc/cpuinfo", "model name"));
    String mem = firstValue("/proc/meminfo", "MemTotal");
    if (mem.endsWith(" kB")) {
      mem = String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(mem.replace(" kB", "").trim()) / 1048576.0);
    }
    m.put("Memory", mem);
    m.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
        + System.getProperty("java.vm.vendor") + ")");
    m.put("Max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
    m.put("txkit", version("dev.txkit", "txkit-jdbc") + gitCommit());
    m.put("HikariCP", version("com.zaxxer", "HikariCP"));
    m.put("H2", database(Target.H2));
    if (usesPostgres) {
      m.put("PostgreSQL", database(Target.PG_READ_COMMITTED));
    }
    if (usesMariaDb) {
      m.put("MariaDB", database(Target.MARIADB_REPEATABLE_READ));
    }
    if (pgbench != null) {
      try {
        m.put("pgbench", pgbench.version());
      } catch (IOException e) {
        m.put("pgbench", "not runnable: " + e.getMessage());
      }
    }
    return m;
  }

  /** @return the 1, 5 and 15 minute load averages */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String database(Target t) {
    try (Connection c = DriverManager.getConnection(t.url())) {
      DatabaseMetaData md = c.getMetaData();
      return md.getDatabaseProductVersion() + "; driver " + md.getDriverName() + " " + md.getDriverVersion()
          + "; " + t.url().replaceAll("password=[^&]*", "password=...");
    } catch (Exception e) {
      return "unreachable: " + e.getMessage();
    }
  }

  private static String gitCommit() {
    String commit = System.getenv("TXKIT_BENCH_COMMIT");
    return commit == null || commit.isBlank() ? "" : " (commit " + commit + ")";
  }

  private static String version(String group, String artifact) {
    try (InputStream in = Machine.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact
        + "/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String firstValue(String file, String key) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "unknown";
  }
}
