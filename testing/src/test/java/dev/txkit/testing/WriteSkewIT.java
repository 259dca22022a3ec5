package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.FailureKind;
import dev.txkit.Isolation;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.Transactions;
import org.junit.jupiter.api.Test;

/**
 * Write skew on PostgreSQL, with real concurrency: the doctors of each shift check and go off call at the same
 * moment. Under SERIALIZABLE the checker passes (SSI aborts one doctor, txkit retries, the retry refuses); under
 * REPEATABLE READ (snapshot isolation) it catches shifts left without a doctor.
 */
class WriteSkewIT {

  private static final int SHIFTS = 6;

  private static WorkloadResult run(Isolation isolation) {
    DoctorsOnCallWorkload doctors = DoctorsOnCallWorkload.of("wl_doctors", SHIFTS, isolation);
    try (HikariDataSource pool = TestDatabases.postgres().newPool(2 * SHIFTS + 2)) {
      WorkloadResult r = WorkloadRunner.builder(pool, doctors).threads(2 * SHIFTS).run();
      System.out.println(r.summary());
      doctors.tearDown(Transactions.create(pool));
      return r;
    }
  }

  @Test
  void serializablePreventsIt() {
    WorkloadResult r = run(Isolation.SERIALIZABLE);
    r.assertValid();
    assertEquals(SHIFTS, r.history().count("go-off-call", History.Outcome.OK), "one doctor per shift went off call");
    assertEquals(SHIFTS, r.history().count("go-off-call", History.Outcome.FAIL), "the other was refused");
    assertTrue(r.retries().getOrDefault(FailureKind.SERIALIZATION_FAILURE, 0L) >= SHIFTS,
        "SSI aborted one doctor of each shift and txkit retried it: " + r.retries());
  }

  @Test
  void theCheckerCatchesItUnderRepeatableRead() {
    WorkloadResult r = run(Isolation.REPEATABLE_READ);
    assertFalse(r.valid(), r.summary());
    Checker.Result c = r.verdicts().get("every shift keeps a doctor on call");
    assertTrue(c.detail().startsWith("write skew: " + SHIFTS + " of " + SHIFTS + " shift(s) have no doctor on call"),
        c.detail());
    assertEquals(2 * SHIFTS, r.history().count("go-off-call", History.Outcome.OK), "both doctors of every shift");
  }
}
