package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.examples.TransferRace.Result;
import dev.txkit.examples.TransferRace.Settings;
import dev.txkit.examples.TransferRace.Strategy;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The demo's code path on H2, PostgreSQL and MariaDB, with short runs: txkit's two strategies conserve the money,
 * counted here with a query of the test's own, and no failure reaches their callers; with lockRows the database
 * raises no deadlock. What the hand-written strategy did is printed, not asserted: it depends on where the
 * failures fell.
 */
class DemoIT {

  private static final String TABLE = "ex_demo_accounts";

  /**
   * A pool of 6. On PostgreSQL each session lowers its own deadlock_timeout (1 s by default, a stall per
   * deadlock) so that the short runs get work done whatever the machine's load.
   */
  private static HikariDataSource pool(TestDb db) {
    db.requireReachable();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.url());
    config.setMaximumPoolSize(6);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(10_000);
    config.setPoolName("ex-demo-it");
    if (db.database() == Database.POSTGRESQL) {
      config.setConnectionInitSql("SET deadlock_timeout = '50ms'");
    }
    return new HikariDataSource(config);
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void txkitConservesTheMoneyWhereTheHandWrittenCodeMayNot(TestDb db) throws Exception {
    Settings settings = new Settings(4, Duration.ofMillis(1000), 4, 0.01, 7);
    List<Result> results = new ArrayList<>();
    try (HikariDataSource pool = pool(db)) {
      TransferRace race = new TransferRace(pool, TABLE);
      try {
        for (Strategy strategy : Strategy.values()) {
          Result r = race.run(strategy, settings, (elapsed, commits) -> { });
          long total = db.queryLong("SELECT SUM(balance) FROM " + TABLE);
          long negative = db.queryLong("SELECT COUNT(*) FROM " + TABLE + " WHERE balance < 0");
          assertEquals(total, r.actualTotal(), "the demo reports the money the database holds");
          assertEquals(negative, r.negativeBalances());
          if (strategy != Strategy.HAND_WRITTEN) {
            assertEquals(settings.expectedTotal(), total, strategy + " conserves the money on " + db);
            assertEquals(0, negative, strategy + ": no negative balance");
            assertEquals(0, r.callerErrors(), strategy + ": no failure reaches a caller: " + r);
            assertTrue(r.commits() > 0, strategy + " commits: " + r);
          }
          results.add(r);
        }
      } finally {
        race.dropSchema();
      }
    }
    Result lockRows = results.get(2);
    assertEquals(0, lockRows.realDeadlocks(), "lockRows takes the locks in one order: " + lockRows);
    Result handWritten = results.get(0);
    System.out.println("DemoIT " + db + " hand-written: money " + Demo.money(handWritten.actualTotal()) + " of "
        + Demo.money(handWritten.expectedTotal()) + ", " + handWritten.callerErrors() + " errors reached callers, "
        + handWritten.ignoredStatementFailures() + " failed statements ignored");
    PrintWriter out = new PrintWriter(System.out, true);
    Demo.printTable(out, results);
  }
}
