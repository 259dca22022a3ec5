package dev.txkit.benchmarks;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts the server round trips of one transaction of each {@link TransactionOverheadBenchmark} variant on
 * PostgreSQL, two independent ways:
 *
 * <ul>
 *   <li>on the wire: the pool connects through a {@link WireRelay}, which counts the times the client starts
 *       sending after the server has answered;
 *   <li>in the driver: pgjdbc's protocol log ({@code java.util.logging}, FINEST) shows every
 *       {@code ReadyForQuery} message the server sends, one per request the driver waits for.
 * </ul>
 *
 * The two agree when every request the driver makes is one wait; the wire count is the one quoted, because it
 * depends on neither the driver nor txkit. The first transactions are not counted (txkit learns a connection's
 * defaults once, HikariCP checks a connection it has not used for a while).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.txkit.benchmarks.RoundTrips [transactions]}
 */
public final class RoundTrips {

  /**
   * One variant's counts.
   *
   * @param variant the variant
   * @param wirePerTx exchanges on the wire per transaction
   * @param readyForQueryPerTx {@code ReadyForQuery} messages per transaction in pgjdbc's log
   */
  public record Count(String variant, double wirePerTx, double readyForQueryPerTx) {
  }

  private interface Variant {
    int run(TransactionOverheadBenchmark.Row row) throws Exception;
  }

  private RoundTrips() {
  }

  /**
   * Counts and prints.
   *
   * @param args number of transactions per variant
   * @throws Exception if PostgreSQL fails
   */
  public static void main(String[] args) throws Exception {
    for (Count c : count(args.length > 0 ? Integer.parseInt(args[0]) : 500)) {
      System.out.printf(Locale.ROOT, "%-24s %6.2f on the wire %6.2f ReadyForQuery%n", c.variant(), c.wirePerTx(),
          c.readyForQueryPerTx());
    }
  }

  /**
   * Counts round trips per transaction for every variant.
   *
   * @param transactions transactions per variant
   * @return the counts, in {@link InterleavedOverhead#VARIANTS} order
   * @throws Exception if PostgreSQL fails
   */
  public static List<Count> count(int transactions) throws Exception {
    String url = TransactionOverheadBenchmark.url("postgres");
    URI uri = URI.create(url.substring("jdbc:".length()));
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    Logger protocol = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");
    AtomicLong readyForQuery = new AtomicLong();
    Handler counter = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getMessage() != null && r.getMessage().startsWith(" <=BE ReadyForQuery")) {
          readyForQuery.incrementAndGet();
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Level level = protocol.getLevel();
    boolean parents = protocol.getUseParentHandlers();
    try (WireRelay relay = new WireRelay(host, port)) {
      protocol.setLevel(Level.FINEST);
      protocol.setUseParentHandlers(false);
      protocol.addHandler(counter);
      String relayed = url.replaceFirst("//[^/]*/", "//127.0.0.1:" + relay.port() + "/");
      TransactionOverheadBenchmark b = new TransactionOverheadBenchmark();
      b.db = "postgres";
      b.setUp(relayed, 1);
      try {
        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("handWritten", b::handWritten);
        variants.put("txkit", b::txkit);
        variants.put("txkitRawConnection", b::txkitRawConnection);
        variants.put("handWrittenSerializable", b::handWrittenSerializable);
        variants.put("txkitSerializable", b::txkitSerializable);
        TransactionOverheadBenchmark.Row row = new TransactionOverheadBenchmark.Row();
        List<Count> out = new ArrayList<>();
        for (Map.Entry<String, Variant> e : variants.entrySet()) {
          for (int i = 0; i < 50; i++) {
            e.getValue().run(row);
          }
          relay.reset();
          readyForQuery.set(0);
          for (int i = 0; i < transactions; i++) {
            e.getValue().run(row);
          }
          out.add(new Count(e.getKey(), (double) relay.exchanges() / transactions,
              (double) readyForQuery.get() / transactions));
        }
        return out;
      } finally {
        b.tearDown();
      }
    } finally {
      protocol.removeHandler(counter);
      protocol.setLevel(level);
      protocol.setUseParentHandlers(parents);
    }
  }
}
