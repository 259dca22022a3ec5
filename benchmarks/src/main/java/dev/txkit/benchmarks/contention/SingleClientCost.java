package dev.txkit.benchmarks.contention;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.benchmarks.WireRelay;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Where the time of one TPC-B transaction goes, with one client and no contention: server round trips per
 * transaction, counted on the wire by a {@link WireRelay} for the hand-written code, for txkit and for pgbench,
 * and bytes allocated per transaction by the calling thread for the two Java strategies.
 */
public final class SingleClientCost {

  /**
   * One strategy's cost.
   *
   * @param strategy the strategy id (or {@code pgbench})
   * @param roundTripsPerTx server round trips per transaction
   * @param bytesPerTx bytes allocated per transaction on the calling thread, NaN for pgbench
   */
  public record Cost(String strategy, double roundTripsPerTx, double bytesPerTx) {
  }

  private SingleClientCost() {
  }

  /**
   * Measures it.
   *
   * @param target a PostgreSQL target
   * @param workload a TPC-B workload set up on it
   * @param kinds the Java strategies
   * @param pgbench pgbench, or null
   * @param transactions transactions counted per strategy
   * @param settings the harness's settings (synchronous commit, deadlock timeout)
   * @return the costs, the Java strategies first
   * @throws Exception if the database or pgbench fails
   */
  public static List<Cost> measure(Target target, TpcbWorkload workload, List<StrategyKind> kinds,
      @Nullable Pgbench pgbench, int transactions, ContentionRun.Settings settings) throws Exception {
    URI uri = URI.create(target.url().substring("jdbc:".length()));
    String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<Cost> out = new ArrayList<>();
    try (WireRelay relay = new WireRelay(host, port)) {
      String relayed = target.url().replaceFirst("//[^/]*/", "//127.0.0.1:" + relay.port() + "/");
      for (StrategyKind kind : kinds) {
        HikariConfig config = ContentionRun.poolConfig(target, 1, settings);
        config.setJdbcUrl(relayed);
        try (HikariDataSource pool = new HikariDataSource(config)) {
          Strategy s = kind.create(pool, target, target.id() + "/" + workload.id());
          Recorder rec = new Recorder(Long.MAX_VALUE);
          rec.bind();
          try {
            SplittableRandom random = new SplittableRandom(settings.seed());
            for (int i = 0; i < 200; i++) {
              s.call(workload.next(random), rec);
            }
            relay.reset();
            long allocated = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < transactions; i++) {
              s.call(workload.next(random), rec);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - allocated;
            out.add(new Cost(kind.id(), (double) relay.exchanges() / transactions, (double) allocated / transactions));
          } finally {
            rec.unbind();
          }
        }
      }
      if (pgbench != null) {
        // the difference of two runs leaves out what a run costs besides its transactions (connecting, setup)
        Pgbench relayedPgbench = pgbench.via("127.0.0.1", relay.port());
        boolean serializable = target == Target.PG_SERIALIZABLE;
        relay.reset();
        relayedPgbench.runTransactions(workload.schema(), 10, serializable);
        long few = relay.exchanges();
        relay.reset();
        relayedPgbench.runTransactions(workload.schema(), 10 + transactions, serializable);
        long many = relay.exchanges();
        out.add(new Cost(PgbenchRun.ID, (double) (many - few) / transactions, Double.NaN));
      }
    }
    return out;
  }
}
