package dev.txkit.benchmarks.report;

import dev.txkit.benchmarks.contention.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * Which groups a run measures. The quick plan covers every target of issue 11 in a few minutes; the full plan
 * runs every workload on every target at every thread count.
 */
public final class Plan {

  /** Every workload the harness knows. */
  public static final List<String> WORKLOADS =
      List.of("transfer-random", "transfer-ordered", "transfer-lockrows", "tpcb-1", "tpcb-10");

  private Plan() {
  }

  /**
   * The quick plan.
   *
   * <ul>
   *   <li>PostgreSQL SERIALIZABLE, transfers in random order over all thread counts (the collapse), in key order
   *       at 4, 16 and 32 threads (the targets' ratios);
   *   <li>PostgreSQL SERIALIZABLE, TPC-B on one hot branch at 2, 8 and 32 threads, with pgbench;
   *   <li>PostgreSQL READ COMMITTED, TPC-B at scale 10, with pgbench; random-order transfers (deadlocks wait
   *       for {@code deadlock_timeout});
   *   <li>MariaDB REPEATABLE READ, the three transfer orders (is {@code lockRows} worth its round trip?);
   *   <li>H2, random-order transfers.
   * </ul>
   *
   * @param curve the thread counts of the curves (default 2, 4, 8, 16, 32)
   * @param pgbench whether pgbench is available
   * @return the groups in the order they run
   */
  public static List<Group> quick(List<Integer> curve, boolean pgbench) {
    List<Integer> few = pick(curve, List.of(4, 16));
    List<Integer> eight = pick(curve, List.of(8));
    List<Group> g = new ArrayList<>();
    g.add(new Group(Target.PG_SERIALIZABLE, "transfer-random", curve, false));
    g.add(new Group(Target.PG_SERIALIZABLE, "transfer-ordered", pick(curve, List.of(4, 16, 32)), false));
    g.add(new Group(Target.PG_SERIALIZABLE, "tpcb-1", pick(curve, List.of(2, 8, 32)), pgbench));
    g.add(new Group(Target.PG_READ_COMMITTED, "tpcb-10", eight, pgbench));
    g.add(new Group(Target.PG_READ_COMMITTED, "transfer-random", eight, false));
    g.add(new Group(Target.MARIADB_REPEATABLE_READ, "transfer-random", few, false));
    g.add(new Group(Target.MARIADB_REPEATABLE_READ, "transfer-ordered", few, false));
    g.add(new Group(Target.MARIADB_REPEATABLE_READ, "transfer-lockrows", few, false));
    g.add(new Group(Target.H2, "transfer-random", few, false));
    return g;
  }

  /**
   * The full plan: every target, every workload, every thread count; pgbench beside every PostgreSQL TPC-B
   * cell.
   *
   * @param curve the thread counts
   * @param pgbench whether pgbench is available
   * @return the groups
   */
  public static List<Group> full(List<Integer> curve, boolean pgbench) {
    List<Group> g = new ArrayList<>();
    for (Target t : List.of(Target.PG_SERIALIZABLE, Target.PG_READ_COMMITTED, Target.MARIADB_REPEATABLE_READ,
        Target.H2)) {
      for (String w : WORKLOADS) {
        g.add(new Group(t, w, curve, pgbench && t.isPostgres() && w.startsWith("tpcb")));
      }
    }
    return g;
  }

  /** The wanted thread counts that the curve has, or the curve's middle one if it has none of them. */
  private static List<Integer> pick(List<Integer> curve, List<Integer> wanted) {
    List<Integer> out = new ArrayList<>();
    for (int w : wanted) {
      if (curve.contains(w)) {
        out.add(w);
      }
    }
    if (out.isEmpty()) {
      out.add(curve.get(curve.size() / 2));
    }
    return out;
  }
}
