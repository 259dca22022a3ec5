package dev.txkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.examples.Demo;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's demo pointed at the cluster with its multi-host URL ({@code --url jdbc:mariadb:sequential://...}):
 * it runs, and txkit's two strategies conserve the money on the cluster.
 */
class DemoOnClusterIT {

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @Test
  void theDemoRunsOnTheClusterThroughItsMultiHostUrl() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Demo.run(new Demo(), new PrintWriter(out, true), new PrintWriter(err, true), "--url",
        GaleraCluster.URL, "--threads", "4", "--seconds", "1", "--no-progress");
    String table = out.toString();
    System.out.println(table);
    assertEquals(0, status, err.toString());
    assertTrue(table.contains("MARIADB"), table);
    String moneyRow = table.lines().filter(l -> l.trim().startsWith("against the opening total")).findFirst()
        .orElseThrow(() -> new AssertionError("no money row: " + table));
    String[] cells = moneyRow.trim().split("\\s{2,}");
    // label, hand-written, inTransaction, + lockRows
    assertEquals("conserved", cells[cells.length - 2], "inTransaction conserves the money: " + moneyRow);
    assertEquals("conserved", cells[cells.length - 1], "lockRows conserves the money: " + moneyRow);
  }
}
