package dev.txkit.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The variants of {@link TransactionOverheadBenchmark} run in short alternating slices, so that load from other
 * processes on a shared machine hits every variant alike; reports the median, over rounds, of each variant's
 * throughput relative to its hand-written counterpart in the same round, and the bytes each variant allocates
 * per transaction on the calling thread ({@code com.sun.management.ThreadMXBean}, read at the start and end of
 * each slice; with H2 in memory the database's own work runs on that thread too, alike for every variant).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.txkit.benchmarks.InterleavedOverhead [h2|postgres]
 * [rounds] [millis per slice]} (defaults: h2, 20 rounds, 200 ms; the first 3 rounds are warm-up).
 */
public final class InterleavedOverhead {

  /** The variants in the order they are reported. */
  public static final List<String> VARIANTS = List.of("handWritten", "txkit", "txkitRawConnection",
      "txkitSummary", "handWrittenSerializable", "txkitSerializable");

  /** Whether {@link #measure} prints the summary listener's table (the command line's run does). */
  private static boolean printSummary;

  private interface Variant {
    int run(TransactionOverheadBenchmark.Row row) throws Exception;
  }

  /**
   * One variant's medians.
   *
   * @param variant the variant's name
   * @param opsPerSecond median throughput
   * @param ratio median of the per-round ratio to the hand-written counterpart
   * @param bytesPerOp median bytes allocated per transaction on the calling thread
   * @param baseline the hand-written counterpart's name
   */
  public record VariantResult(String variant, double opsPerSecond, double ratio, double bytesPerOp,
      String baseline) {
  }

  /**
   * A whole comparison.
   *
   * @param db h2 or postgres
   * @param rounds measured rounds
   * @param sliceMillis length of a slice
   * @param variants per variant, in {@link #VARIANTS} order
   */
  public record Result(String db, int rounds, long sliceMillis, List<VariantResult> variants) {
  }

  private InterleavedOverhead() {
  }

  /**
   * Runs the comparison and prints it.
   *
   * @param args database, rounds, milliseconds per slice
   * @throws Exception if the database fails
   */
  public static void main(String[] args) throws Exception {
    String db = args.length > 0 ? args[0] : "h2";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    long slice = args.length > 2 ? Long.parseLong(args[2]) : 200L;
    printSummary = true;
    Result r = measure(db, rounds, slice, 3);
    System.out.printf(Locale.ROOT, "%s, %d rounds of %d ms slices%n", db, rounds, slice);
    System.out.printf(Locale.ROOT, "%-24s %14s %28s %12s%n", "variant", "median ops/s",
        "median ratio to hand-written", "bytes/op");
    for (VariantResult v : r.variants()) {
      System.out.printf(Locale.ROOT, "%-24s %14.0f %28.2f %12.0f%n", v.variant(), v.opsPerSecond(), v.ratio(),
          v.bytesPerOp());
    }
  }

  /**
   * Runs the comparison.
   *
   * @param db h2 or postgres
   * @param rounds measured rounds
   * @param sliceMillis length of each variant's slice
   * @param warmup rounds run first and not counted
   * @return the medians
   * @throws Exception if the database fails
   */
  public static Result measure(String db, int rounds, long sliceMillis, int warmup) throws Exception {
    long sliceNanos = sliceMillis * 1_000_000L;
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    TransactionOverheadBenchmark b = new TransactionOverheadBenchmark();
    b.db = db;
    b.setUp();
    try {
      Map<String, Variant> variants = new LinkedHashMap<>();
      variants.put("handWritten", b::handWritten);
      variants.put("txkit", b::txkit);
      variants.put("txkitRawConnection", b::txkitRawConnection);
      variants.put("txkitSummary", b::txkitSummary);
      variants.put("handWrittenSerializable", b::handWrittenSerializable);
      variants.put("txkitSerializable", b::txkitSerializable);
      List<String> names = new ArrayList<>(variants.keySet());
      Map<String, List<Double>> ratios = new LinkedHashMap<>();
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      Map<String, List<Double>> bytes = new LinkedHashMap<>();
      names.forEach(n -> {
        ratios.put(n, new ArrayList<>());
        rates.put(n, new ArrayList<>());
        bytes.put(n, new ArrayList<>());
      });
      TransactionOverheadBenchmark.Row row = new TransactionOverheadBenchmark.Row();
      long sink = 0;
      for (int r = 0; r < warmup + rounds; r++) {
        Map<String, Double> opsPerSecond = new LinkedHashMap<>();
        Map<String, Double> bytesPerOp = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
          // rotate the order every round, so no variant always runs right after the same one
          String name = names.get((k + r) % names.size());
          Variant v = variants.get(name);
          long ops = 0;
          long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
          long start = System.nanoTime();
          long end = start + sliceNanos;
          long now;
          do {
            sink += v.run(row);
            ops++;
          } while ((now = System.nanoTime()) < end);
          long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
          opsPerSecond.put(name, ops * 1e9 / (now - start));
          bytesPerOp.put(name, (double) allocated / ops);
        }
        if (r >= warmup) {
          for (String n : names) {
            rates.get(n).add(opsPerSecond.get(n));
            ratios.get(n).add(opsPerSecond.get(n) / opsPerSecond.get(baseline(n)));
            bytes.get(n).add(bytesPerOp.get(n));
          }
        }
      }
      if (sink == 42) {
        System.out.print("");
      }
      if (printSummary) {
        System.out.println("The txkitSummary variant's own summary (TransactionSummary, all rounds):");
        b.summary().print(System.out);
      }
      List<VariantResult> out = new ArrayList<>();
      for (String n : names) {
        out.add(new VariantResult(n, median(rates.get(n)), median(ratios.get(n)), median(bytes.get(n)), baseline(n)));
      }
      return new Result(db, rounds, sliceMillis, out);
    } finally {
      b.tearDown();
    }
  }

  static String baseline(String variant) {
    return variant.endsWith("Serializable") ? "handWrittenSerializable" : "handWritten";
  }

  private static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
