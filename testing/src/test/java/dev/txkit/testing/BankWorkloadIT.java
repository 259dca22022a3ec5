package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jepsen's bank through txkit on H2, PostgreSQL and MariaDB: 16 threads for two seconds, a fault in one operation
 * of 20 (deadlocks, serialization failures, non-retryable failures, lost connections, lost commit replies), and
 * every checker must pass. The lock-order checker listens all along: the transfers lock with {@code lockRows}, so
 * it must find no possible deadlock.
 */
class BankWorkloadIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void sixteenThreadsWithFaultsLoseNothingAndApplyNothingTwice(TestDb db) {
    BankWorkload bank = BankWorkload.builder().tablePrefix("wl_bank_").accounts(10).build();
    try (HikariDataSource pool = db.newPool(20)) {
      List<PossibleDeadlock> possible = new CopyOnWriteArrayList<>();
      List<LockOrderChecker> checkers = new CopyOnWriteArrayList<>();
      WorkloadResult r = WorkloadRunner.builder(pool, bank).threads(16).duration(Duration.ofSeconds(2))
          .faultRate(0.05).onDataSource(ds -> checkers.add(LockOrderChecker.attach(ds)
              .onPossibleDeadlock(possible::add))).run();
      System.out.println(r.summary());
      System.out.println(checkers.get(0).report());
      r.assertValid();
      assertEquals(List.of(), possible, checkers.get(0).report());
      assertEquals(List.of(), checkers.get(0).unrecognised());
      assertTrue(checkers.get(0).locks().size() >= 10, "every account was locked: " + checkers.get(0).locks());
      long ok = r.history().count("transfer", History.Outcome.OK);
      assertTrue(ok > 100, "transfers went through: " + ok);
      assertTrue(r.faultsFired().size() == 4, "every kind of fault fired: " + r.faultsFired());
      bank.tearDown(Transactions.create(pool));
    }
  }
}
