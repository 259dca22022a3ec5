package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jepsen's bank through txkit on H2, PostgreSQL and MariaDB: 16 threads for two seconds, a fault in one operation
 * of 20 (deadlocks, serialization failures, non-retryable failures, lost connections, lost commit replies), and
 * every checker must pass.
 */
class BankWorkloadIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void sixteenThreadsWithFaultsLoseNothingAndApplyNothingTwice(TestDb db) {
    BankWorkload bank = BankWorkload.builder().tablePrefix("wl_bank_").accounts(10).build();
    try (HikariDataSource pool = db.newPool(20)) {
      WorkloadResult r = WorkloadRunner.builder(pool, bank).threads(16).duration(Duration.ofSeconds(2))
          .faultRate(0.05).run();
      System.out.println(r.summary());
      r.assertValid();
      long ok = r.history().count("transfer", History.Outcome.OK);
      assertTrue(ok > 100, "transfers went through: " + ok);
      assertTrue(r.faultsFired().size() == 4, "every kind of fault fired: " + r.faultsFired());
      bank.tearDown(Transactions.create(pool));
    }
  }
}
