package dev.txkit.benchmarks.contention;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * One pgbench run in the harness's schedule, recorded like a strategy's run (strategy id {@value #ID}) on the
 * same tables, with the same deadlock counter and invariant check.
 */
public final class PgbenchRun {

  /** The strategy id under which pgbench's runs are reported. */
  public static final String ID = "pgbench";

  private PgbenchRun() {
  }

  /**
   * Runs pgbench on the workload's tables.
   *
   * @param pgbench pgbench
   * @param target a PostgreSQL target (its isolation is pgbench's)
   * @param workload the TPC-B workload whose tables pgbench made
   * @param clients clients
   * @param seconds duration
   * @param round the schedule's round
   * @return the run
   * @throws Exception if pgbench or the database fails
   */
  public static RunResult run(Pgbench pgbench, Target target, TpcbWorkload workload, int clients, int seconds,
      int round) throws Exception {
    boolean serializable = target == Target.PG_SERIALIZABLE;
    try (Connection check = DriverManager.getConnection(target.url())) {
      long[] before = workload.snapshot(check);
      long deadlocksBefore = target.deadlockCounter(check);
      Pgbench.Result r = pgbench.run(workload.schema(), clients, seconds, serializable, maxTries(target));
      awaitSessionsGone(check);
      long deadlocks = target.deadlockCounter(check) - deadlocksBefore;
      Map<String, Long> errors = new TreeMap<>();
      if (r.failed() > 0) {
        errors.put("failed after --max-tries=" + maxTries(target), r.failed());
      }
      Map<String, Long> aborted = new TreeMap<>();
      if (r.retries() > 0) {
        aborted.put("retried (serialization or deadlock)", r.retries());
      }
      String invariant = workload.check(check, before, r.processed());
      double window = r.tps() > 0 ? r.processed() / r.tps() : seconds;
      return new RunResult(target, workload.id(), ID, clients, round, window, r.processed(), r.processed(), 0,
          r.processed() + r.failed(), r.processed() + r.failed() + r.retries(), Double.NaN, Double.NaN, Double.NaN,
          errors, aborted, deadlocks, invariant);
    }
  }

  /**
   * pgbench's {@code --max-tries} on a target: 10 at SERIALIZABLE, where failures are expected, otherwise 1
   * (pgbench's default).
   *
   * @param target the target
   * @return the number of tries
   */
  public static int maxTries(Target target) {
    return target == Target.PG_SERIALIZABLE ? 10 : 1;
  }

  /**
   * A backend flushes its statistics before it leaves {@code pg_stat_activity}: once pgbench's sessions are
   * gone, the deadlock counter includes theirs.
   */
  private static void awaitSessionsGone(Connection c) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity "
        + "WHERE datname = current_database() AND application_name = 'pgbench'")) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        Thread.sleep(10);
      }
    }
    throw new SQLException("pgbench's sessions were still connected 10 s after it exited");
  }
}
