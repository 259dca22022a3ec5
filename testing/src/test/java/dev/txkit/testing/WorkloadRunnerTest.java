package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Workloads with histories on H2: faults, replay by seed, and checkers that catch what they claim to. */
class WorkloadRunnerTest {

  private HikariDataSource pool;

  @BeforeEach
  void setUp() {
    pool = TestDatabases.h2().newPool(8);
  }

  @AfterEach
  void tearDown() {
    pool.close();
  }

  @Test
  void aCounterWithFaultsKeepsItsBounds() {
    WorkloadResult r = WorkloadRunner.builder(pool, CounterWorkload.of("wl_counter", 0.2, 3))
        .threads(4).operations(200).faultRate(0.3).seed(7).transactions(b -> b.sleeper(new FakeSleeper())).run();
    System.out.println(r.summary());
    r.assertValid();
    assertEquals(200, r.history().operations().size());
    assertTrue(r.faultsFired().getOrDefault(SweepKind.TRANSIENT, 0L) > 0, r.summary());
    assertTrue(r.faultsFired().getOrDefault(SweepKind.UNKNOWN_OUTCOME, 0L) > 0, r.summary());
    assertTrue(r.history().count("add", History.Outcome.UNKNOWN) > 0, "a lost commit reply is an unknown outcome");
    assertTrue(r.history().count("add", History.Outcome.FAIL) > 0, "a non-retryable fault fails the operation");
    assertFalse(r.retries().isEmpty(), "transient faults were retried");
  }

  @Test
  void theSameSeedReplaysTheSameOperationsAndFaults() {
    List<String> first = replayable(run(42));
    List<String> second = replayable(run(42));
    assertEquals(first, second);
    assertTrue(first.stream().anyMatch(s -> s.contains("<==")), "faults fired");
    assertNotEquals(first, replayable(run(43)), "another seed, another run");
  }

  private WorkloadResult run(long seed) {
    return WorkloadRunner.builder(pool, BankWorkload.builder().tablePrefix("wl_replay_").build())
        .threads(1).operations(40).faultRate(0.3).seed(seed).transactions(b -> b.sleeper(new FakeSleeper())).run();
  }

  private static List<String> replayable(WorkloadResult r) {
    r.assertValid();
    List<String> out = new ArrayList<>();
    for (History.Op o : r.history().operations()) {
      out.add(o.f() + " " + o.value() + " " + o.outcome() + (o.fault() == null ? "" : " <== " + o.fault()));
    }
    return out;
  }

  @Test
  void theScheduleIsAFunctionOfSeedProcessAndIndex() {
    List<SweepKind> kinds = List.of(SweepKind.TRANSIENT, SweepKind.CONNECTION_LOSS, SweepKind.UNKNOWN_OUTCOME);
    FaultSchedule a = new FaultSchedule(5, 0.5, kinds);
    FaultSchedule b = new FaultSchedule(5, 0.5, kinds);
    int planned = 0;
    for (int p = 0; p < 4; p++) {
      for (int i = 0; i < 50; i++) {
        assertEquals(String.valueOf(a.plan(p, i)), String.valueOf(b.plan(p, i)));
        planned += a.plan(p, i) == null ? 0 : 1;
      }
    }
    assertTrue(planned > 60 && planned < 140, "about half of 200: " + planned);
    assertEquals(null, new FaultSchedule(5, 0, kinds).plan(0, 0));
  }

  /** The bank, but with a transfer written by hand that retries on every failure, its commit's too. */
  private static final class RetryingBank implements Workload {
    final BankWorkload bank = BankWorkload.builder().tablePrefix("wl_broken_").readRatio(0).build();

    @Override
    public String name() {
      return "bank with a hand-written retry";
    }

    @Override
    public void setUp(Transactions txs) {
      bank.setUp(txs);
    }

    @Override
    public @Nullable Operation next(Random random, int process, int index) {
      return bank.next(random, process, index);
    }

    @Override
    public @Nullable Object invoke(Transactions txs, Operation op, int process) throws SQLException {
      BankWorkload.Transfer t = (BankWorkload.Transfer) Objects.requireNonNull(op.value());
      DataSource ds = txs.dataSource();
      for (int attempt = 1; ; attempt++) {
        try (Connection c = ds.getConnection()) {
          c.setAutoCommit(false);
          try {
            run(c, "UPDATE " + bank.accountsTable() + " SET balance = balance - ? WHERE id = ?", t.amount(), t.from());
            run(c, "UPDATE " + bank.accountsTable() + " SET balance = balance + ? WHERE id = ?", t.amount(), t.to());
            run(c, "INSERT INTO " + bank.logTable() + " (transfer_id, from_id, to_id, amount) VALUES (?, ?, ?, ?)",
                t.id(), t.from(), t.to(), t.amount());
            c.commit();
            c.setAutoCommit(true);
            return null;
          } catch (SQLException e) {
            try {
              c.rollback();
            } catch (SQLException ignored) {
              // the connection is gone
            }
            if (attempt == 5) {
              throw e;
            }
          }
        }
      }
    }

    private static void run(Connection c, String sql, long... args) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          ps.setLong(i + 1, args[i]);
        }
        ps.executeUpdate();
      }
    }

    @Override
    public List<Checker> checkers() {
      return bank.checkers();
    }
  }

  @Test
  void theCheckerCatchesATransferAppliedTwice() {
    WorkloadResult r = WorkloadRunner.builder(pool, new RetryingBank()).threads(2).operations(60)
        .faultRate(0.2).faultKinds(SweepKind.UNKNOWN_OUTCOME).seed(11).run();
    System.out.println(r.summary());
    assertFalse(r.valid());
    Checker.Result once = r.verdicts().get("acknowledged applied exactly once, unknown at most once, failed never");
    assertFalse(once.valid(), once.detail());
    assertTrue(once.detail().contains("applied 2 times"), once.detail());
    assertTrue(r.verdicts().get("total conserved").valid(), "applied twice, but whole: the total still holds");
    AssertionError e = assertThrows(AssertionError.class, r::assertValid);
    assertTrue(e.getMessage().contains("seed 11") && e.getMessage().contains(":type :invoke"), e.getMessage());
  }

  @Test
  void theCounterCheckerCatchesAReadOutOfItsBounds() {
    List<History.Op> ops = List.of(
        new History.Op(0, 0, "t0", "add", 5L, 0, 10, History.Outcome.OK, null, null, 1, null),
        new History.Op(1, 1, "t1", "read", null, 20, 30, History.Outcome.OK, 3L, null, 1, null));
    CounterWorkload counter = CounterWorkload.of("wl_bounds", 0.5, 5);
    counter.setUp(Transactions.create(pool));
    try (Transactions txs = Transactions.create(pool)) {
      txs.useTransaction(tx -> tx.update("UPDATE wl_bounds SET val = 5"));
      Checker.Result r = counter.checkers().get(0).check(new History(ops), pool);
      assertFalse(r.valid());
      assertTrue(r.detail().contains("outside [5, 5]"), r.detail());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
