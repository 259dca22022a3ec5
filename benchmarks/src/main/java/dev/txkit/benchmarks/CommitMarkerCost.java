package dev.txkit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.jdbc.CommitMarkers;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the commit-marker resolver costs each transaction: one short read-write transaction (one {@code UPDATE} by
 * primary key) through txkit without markers and with them ({@link CommitMarkers}: one more {@code INSERT} before
 * {@code COMMIT}, and every 1,000th commit a cleanup), one client, run in short alternating slices so that load
 * from other processes hits both alike. Prints the median, over rounds, of each variant's throughput and mean
 * latency, and of the per-round ratio.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.txkit.benchmarks.CommitMarkerCost <MariaDB JDBC URL>
 * [rounds] [millis per slice]} (defaults: 20 rounds, 500 ms; the first 3 rounds are warm-up). The URL's database
 * gets two tables, {@code bench_marker_rows} and {@code bench_commit_markers}, dropped afterwards.
 */
public final class CommitMarkerCost {

  private static final int ROWS = 1_000;

  private CommitMarkerCost() {
  }

  /**
   * Runs the comparison and prints it.
   *
   * @param args URL, rounds, milliseconds per slice
   * @throws Exception if the database fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: CommitMarkerCost <MariaDB JDBC URL> [rounds] [millis per slice]");
    }
    String url = args[0];
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    long slice = args.length > 2 ? Long.parseLong(args[2]) : 500L;
    int warmup = 3;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(1);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      exec(pool, "DROP TABLE IF EXISTS bench_marker_rows", "DROP TABLE IF EXISTS bench_commit_markers",
          "CREATE TABLE bench_marker_rows (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB",
          "INSERT INTO bench_marker_rows SELECT seq, 0 FROM seq_1_to_" + ROWS,
          CommitMarkers.createTableSql("bench_commit_markers"));
      try {
        Transactions plain = Transactions.create(pool);
        Transactions markers = Transactions.builder(pool).commitMarkers("bench_commit_markers").build();
        List<Transactions> variants = List.of(plain, markers);
        List<List<Double>> rates = List.of(new ArrayList<>(), new ArrayList<>());
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < warmup + rounds; r++) {
          double[] rate = new double[2];
          for (int k = 0; k < 2; k++) {
            // alternate which variant goes first
            int v = (k + r) % 2;
            rate[v] = slice(variants.get(v), slice);
          }
          if (r >= warmup) {
            rates.get(0).add(rate[0]);
            rates.get(1).add(rate[1]);
            ratios.add(rate[1] / rate[0]);
          }
        }
        double without = median(rates.get(0));
        double with = median(rates.get(1));
        System.out.printf(Locale.ROOT, "%s, one client, %d rounds of %d ms slices%n", url, rounds, slice);
        System.out.printf(Locale.ROOT, "without markers: %8.0f tx/s, %6.3f ms per transaction%n", without,
            1000 / without);
        System.out.printf(Locale.ROOT, "with markers:    %8.0f tx/s, %6.3f ms per transaction%n", with, 1000 / with);
        System.out.printf(Locale.ROOT, "median ratio with/without: %.3f (%+.3f ms per transaction)%n",
            median(ratios), 1000 / with - 1000 / without);
      } finally {
        exec(pool, "DROP TABLE IF EXISTS bench_marker_rows", "DROP TABLE IF EXISTS bench_commit_markers");
      }
    }
  }

  /** @return transactions per second during one slice */
  private static double slice(Transactions txs, long millis) {
    long ops = 0;
    long start = System.nanoTime();
    long end = start + millis * 1_000_000L;
    long now;
    do {
      int id = 1 + ThreadLocalRandom.current().nextInt(ROWS);
      txs.useTransaction(tx -> tx.updateOne("UPDATE bench_marker_rows SET v = v + 1 WHERE id = ?", id));
      ops++;
    } while ((now = System.nanoTime()) < end);
    return ops * 1e9 / (now - start);
  }

  private static void exec(HikariDataSource pool, String... sql) throws Exception {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
