package dev.txkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.jdbc.Transactions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's "Running on a cluster" configuration, as printed there, works on the cluster. */
class ReadmeClusterIT {

  private static final String OPTIONS = "?galeraAllowedState=4\"                        // connect only to a node "
      + "that is Synced, else the next one\n    + \"&connectTimeout=2000&socketTimeout=10000\");";

  @BeforeAll
  static void cluster() {
    GaleraCluster.require();
  }

  @Test
  void theReadmesPoolSettingsConnectToTheFirstSyncedNodeWithReadYourWrites() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    assertTrue(readme.contains(OPTIONS), "README.md (Running on a cluster) shows the URL options tested here");
    assertTrue(readme.contains("config.setConnectionInitSql(\"SET SESSION wsrep_sync_wait = 1\");"));

    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:mariadb:sequential://" + GaleraCluster.host(1) + "," + GaleraCluster.host(2) + ","
        + GaleraCluster.host(3) + "/txkit?user=root&galeraAllowedState=4&connectTimeout=2000&socketTimeout=10000");
    config.setConnectionInitSql("SET SESSION wsrep_sync_wait = 1");
    try (HikariDataSource pool = new HikariDataSource(config); Transactions txs = Transactions.create(pool)) {
      int port = txs.inTransaction(tx -> tx.queryOne("SELECT @@port", Integer.class));
      int syncWait = txs.inTransaction(tx -> tx.queryOne("SELECT @@session.wsrep_sync_wait", Integer.class));
      assertTrue(GaleraCluster.host(1).endsWith(":" + port), "sequential: the first host, " + port);
      assertEquals(1, syncWait);
    }
  }
}
