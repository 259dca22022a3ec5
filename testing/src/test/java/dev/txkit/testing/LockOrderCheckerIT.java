package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lock-order checker on PostgreSQL and MariaDB: keys from the real metadata, and the advisory locks of
 * {@code lockKeys} guarding row updates in any order.
 */
class LockOrderCheckerIT {

  private static final String TABLE = "lo_it_accounts";

  private static void transfer(Transactions txs, boolean lockKeysFirst, long from, long to) {
    txs.useTransaction(TxOptions.builder().name(lockKeysFirst ? "guarded" : "unguarded").build(), tx -> {
      if (lockKeysFirst) {
        tx.lockKeys("acct", List.of(from, to));
      }
      tx.updateOne("UPDATE " + TABLE + " SET v = v - 1 WHERE id = ?", from);
      tx.updateOne("UPDATE " + TABLE + " SET v = v + 1 WHERE id = ?", to);
    });
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#servers")
  void oppositeUpdatesAreACycleUnlessAnAdvisoryLockGuardsThem(TestDb db) {
    Fixture f = new Fixture(db, TABLE);
    try {
      db.exec("INSERT INTO " + TABLE + " VALUES (1, 0), (2, 0)");
      LockOrderChecker guarded = LockOrderChecker.attach(f.ds);
      transfer(f.txs, true, 1, 2);
      transfer(f.txs, true, 2, 1);
      guarded.assertNoPossibleDeadlocks();
      assertEquals(List.of(), guarded.unrecognised());
      assertTrue(guarded.locks().containsAll(List.of(TABLE + ":1", TABLE + ":2")), guarded.locks().toString());
      assertTrue(guarded.locks().stream().anyMatch(k -> k.endsWith("lock:acct:1")), guarded.locks().toString());
      guarded.detach();

      LockOrderChecker unguarded = LockOrderChecker.attach(f.ds);
      transfer(f.txs, false, 1, 2);
      transfer(f.txs, false, 2, 1);
      assertEquals(1, unguarded.possibleDeadlocks().size(), unguarded.report());
      assertEquals("unguarded", unguarded.possibleDeadlocks().get(0).steps().get(0).transaction());
    } finally {
      f.drop();
    }
  }
}
