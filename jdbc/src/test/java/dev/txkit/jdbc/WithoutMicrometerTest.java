package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * txkit-jdbc loads and runs without Micrometer on the class path (micrometer-core is an optional dependency): a
 * transaction with listeners, pitfalls and the self-check, in a class loader that has everything but Micrometer.
 */
class WithoutMicrometerTest {

  @Test
  void runsATransactionWithNoMicrometerClassesAround() throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : cp.split(File.pathSeparator)) {
      if (!entry.contains("micrometer") && !entry.contains("HdrHistogram") && !entry.contains("LatencyUtils")
          && !entry.isBlank()) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader())) {
      assertThrows(ClassNotFoundException.class,
          () -> loader.loadClass("io.micrometer.core.instrument.MeterRegistry"));
      Class<?> scenario = loader.loadClass(PlainScenario.class.getName());
      Object result = scenario.getMethod("run").invoke(null);
      assertEquals("rows=1 calls=2 statements=3", result);
      assertTrue(urls.size() > 3, urls.toString());
    }
  }

  /** What runs inside the loader without Micrometer. */
  public static final class PlainScenario {
    private PlainScenario() {
    }

    /**
     * @return what the transaction did
     * @throws Exception if it failed
     */
    public static String run() throws Exception {
      org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
      ds.setURL("jdbc:h2:mem:without-micrometer;DB_CLOSE_DELAY=-1");
      dev.txkit.TransactionSummary summary = new dev.txkit.TransactionSummary();
      Transactions txs = Transactions.builder(ds).listener(summary).mdc(true)
          .pitfalls(dev.txkit.Pitfalls.builder().blockingCall(dev.txkit.PitfallMode.WARN).build()).build();
      txs.useTransaction(tx -> {
        tx.update("CREATE TABLE t (id INT PRIMARY KEY)");
        tx.update("INSERT INTO t VALUES (1)");
      });
      int rows = txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM t", Integer.class));
      dev.txkit.TransactionSummary.Row row = summary.rows().get(0);
      return "rows=" + rows + " calls=" + row.calls() + " statements=" + row.statements();
    }
  }
}
