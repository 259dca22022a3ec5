package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.Transactions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lock-order checker on H2, single-threaded: it reports cycles that never deadlocked. */
class LockOrderCheckerTest {

  private Fixture f;
  private LockOrderChecker locks;

  @BeforeEach
  void setUp() {
    f = Fixture.h2("lo_accounts");
    f.db.exec("INSERT INTO lo_accounts VALUES (1, 100), (2, 100), (3, 100)");
    locks = LockOrderChecker.attach(f.ds);
  }

  @AfterEach
  void tearDown() {
    f.drop();
  }

  private void naive(Transactions txs, long from, long to) {
    txs.useTransaction(TxOptions.builder().name("naive transfer").build(), tx -> {
      tx.updateOne("UPDATE lo_accounts SET v = v - 1 WHERE id = ?", from);
      tx.updateOne("UPDATE lo_accounts SET v = v + 1 WHERE id = ?", to);
    });
  }

  private void ordered(Transactions txs, long from, long to) {
    txs.useTransaction(TxOptions.builder().name("ordered transfer").build(), tx -> {
      tx.lockRows("lo_accounts", "id", List.of(from, to));
      tx.updateOne("UPDATE lo_accounts SET v = v - 1 WHERE id = ?", from);
      tx.updateOne("UPDATE lo_accounts SET v = v + 1 WHERE id = ?", to);
    });
  }

  @Test
  void oppositeTransfersArePossibleDeadlocksWithoutEverDeadlocking() {
    List<PossibleDeadlock> live = new ArrayList<>();
    locks.onPossibleDeadlock(live::add);
    naive(f.txs, 1, 2);
    assertEquals(List.of(), locks.possibleDeadlocks(), "one transaction alone is no cycle");
    naive(f.txs, 2, 1);
    List<PossibleDeadlock> found = locks.possibleDeadlocks();
    assertEquals(1, found.size(), locks.report());
    assertEquals(found, live, "the listener heard of it when the second transaction took its lock");
    PossibleDeadlock d = found.get(0);
    assertEquals(List.of("lo_accounts:2", "lo_accounts:1"), d.locks());
    for (PossibleDeadlock.Step s : d.steps()) {
      assertEquals("naive transfer", s.transaction());
      assertTrue(s.heldBy().startsWith("UPDATE lo_accounts SET v = v "), s.heldBy());
      assertTrue(s.takenBy().startsWith("UPDATE lo_accounts SET v = v "), s.takenBy());
    }
    assertTrue(d.steps().get(0).connection() != d.steps().get(1).connection(), "two transactions");
    AssertionError e = assertThrows(AssertionError.class, locks::assertNoPossibleDeadlocks);
    assertTrue(e.getMessage().contains("held lo_accounts:2 [UPDATE lo_accounts SET v = v - 1 WHERE id = ?] while "
        + "taking lo_accounts:1 [UPDATE lo_accounts SET v = v + 1 WHERE id = ?]"), e.getMessage());
    assertTrue(e.getMessage().contains("held lo_accounts:1 [UPDATE lo_accounts SET v = v - 1 WHERE id = ?] while "
        + "taking lo_accounts:2 [UPDATE lo_accounts SET v = v + 1 WHERE id = ?]"), e.getMessage());
  }

  @Test
  void lockRowsInOneOrderIsNoCycle() {
    ordered(f.txs, 1, 2);
    ordered(f.txs, 2, 1);
    ordered(f.txs, 3, 1);
    ordered(f.txs, 2, 3);
    locks.assertNoPossibleDeadlocks();
    assertEquals(List.of(), locks.unrecognised());
    assertTrue(locks.report().startsWith("Lock order: 4 transaction(s) took locks in 12 statement(s); 3 order edge(s)"),
        locks.report());
  }

  @Test
  void threeTransactionsInARing() {
    naive(f.txs, 1, 2);
    naive(f.txs, 2, 3);
    assertEquals(List.of(), locks.possibleDeadlocks());
    naive(f.txs, 3, 1);
    assertEquals(1, locks.possibleDeadlocks().size(), locks.report());
    assertEquals(3, locks.possibleDeadlocks().get(0).steps().size());
  }

  @Test
  void locksAreReleasedAtTheEndOfATransaction() {
    // each statement alone in autocommit: nothing is held across them
    f.txs.useTransaction(tx -> { });
    try (var c = f.ds.getConnection(); var ps = c.prepareStatement("UPDATE lo_accounts SET v = 0 WHERE id = ?")) {
      ps.setLong(1, 2);
      ps.executeUpdate();
      ps.setLong(1, 1);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
    naive(f.txs, 1, 2);
    locks.assertNoPossibleDeadlocks();
  }

  @Test
  void theKeyIsReadFromTheMetadata() {
    naive(f.txs, 1, 2);
    assertEquals(Set.of("lo_accounts:1", "lo_accounts:2"), locks.locks());
  }
}
