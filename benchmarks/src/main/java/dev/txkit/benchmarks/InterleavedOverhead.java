package dev.txkit.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The variants of {@link TransactionOverheadBenchmark} run in short alternating slices, so that load from other
 * processes on a shared machine hits every variant alike; prints the median, over rounds, of each variant's
 * throughput relative to its hand-written counterpart in the same round.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.txkit.benchmarks.InterleavedOverhead [h2|postgres]
 * [rounds] [millis per slice]} (defaults: h2, 20 rounds, 200 ms; the first 3 rounds are warm-up).
 */
public final class InterleavedOverhead {

  private interface Variant {
    int run(TransactionOverheadBenchmark.Row row) throws Exception;
  }

  private InterleavedOverhead() {
  }

  /**
   * Runs the comparison.
   *
   * @param args database, rounds, milliseconds per slice
   * @throws Exception if the database fails
   */
  public static void main(String[] args) throws Exception {
    String db = args.length > 0 ? args[0] : "h2";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    long sliceNanos = (args.length > 2 ? Long.parseLong(args[2]) : 200L) * 1_000_000L;
    int warmup = 3;

    TransactionOverheadBenchmark b = new TransactionOverheadBenchmark();
    b.db = db;
    b.setUp();
    try {
      Map<String, Variant> variants = new LinkedHashMap<>();
      variants.put("handWritten", b::handWritten);
      variants.put("txkit", b::txkit);
      variants.put("txkitRawConnection", b::txkitRawConnection);
      variants.put("handWrittenSerializable", b::handWrittenSerializable);
      variants.put("txkitSerializable", b::txkitSerializable);
      List<String> names = new ArrayList<>(variants.keySet());
      Map<String, List<Double>> ratios = new LinkedHashMap<>();
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      names.forEach(n -> {
        ratios.put(n, new ArrayList<>());
        rates.put(n, new ArrayList<>());
      });
      TransactionOverheadBenchmark.Row row = new TransactionOverheadBenchmark.Row();
      long sink = 0;
      for (int r = 0; r < warmup + rounds; r++) {
        Map<String, Double> opsPerSecond = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
          // rotate the order every round, so no variant always runs right after the same one
          String name = names.get((k + r) % names.size());
          Variant v = variants.get(name);
          long ops = 0;
          long start = System.nanoTime();
          long end = start + sliceNanos;
          long now;
          do {
            sink += v.run(row);
            ops++;
          } while ((now = System.nanoTime()) < end);
          opsPerSecond.put(name, ops * 1e9 / (now - start));
        }
        if (r >= warmup) {
          for (String n : names) {
            String base = n.endsWith("Serializable") ? "handWrittenSerializable" : "handWritten";
            rates.get(n).add(opsPerSecond.get(n));
            ratios.get(n).add(opsPerSecond.get(n) / opsPerSecond.get(base));
          }
        }
      }
      System.out.printf(Locale.ROOT, "%s, %d rounds of %d ms slices (updates: %d)%n", db, rounds,
          sliceNanos / 1_000_000L, sink);
      System.out.printf(Locale.ROOT, "%-24s %14s %28s%n", "variant", "median ops/s", "median ratio to hand-written");
      for (String n : names) {
        System.out.printf(Locale.ROOT, "%-24s %14.0f %28.2f%n", n, median(rates.get(n)), median(ratios.get(n)));
      }
    } finally {
      b.tearDown();
    }
  }

  private static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
