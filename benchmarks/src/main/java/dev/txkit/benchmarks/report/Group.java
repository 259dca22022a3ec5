package dev.txkit.benchmarks.report;

import dev.txkit.benchmarks.contention.Target;
import java.util.List;

/**
 * One table of the report: a workload on a target at some thread counts, every selected strategy in each
 * cell, and pgbench beside them where {@code pgbench} is set.
 *
 * @param target the database and isolation
 * @param workload the workload's id (e.g. {@code transfer-random}, {@code tpcb-1})
 * @param threads the thread counts
 * @param pgbench whether pgbench runs in each cell too
 */
public record Group(Target target, String workload, List<Integer> threads, boolean pgbench) {

  /** @return e.g. {@code pg-serializable/transfer-random} */
  public String id() {
    return target.id() + "/" + workload;
  }
}
