package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.FailureKind;
import dev.txkit.examples.HandWrittenTransfer.Outcome;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.Failures;
import dev.txkit.testing.Fault;
import dev.txkit.testing.FaultyDataSource;
import dev.txkit.testing.Point;
import dev.txkit.testing.Trigger;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the hand-written transfer gets wrong under injected faults, and what txkit's {@link BankTransfer} does
 * under the same faults. The kit's faults behave as the servers do after them (a deadlock rolls the transaction
 * back on H2 and MariaDB; on PostgreSQL it leaves the transaction aborted).
 */
class HandWrittenTransferIT {

  private static final String TABLE = "ex_hand_accounts";

  private static FaultyDataSource accounts(TestDb db) {
    FaultyDataSource ds = FaultyDataSource.wrap(db.dataSource());
    BankTransfer setup = new BankTransfer(Transactions.create(db.dataSource()), TABLE);
    setup.createSchema();
    setup.openAccount(1, "Alice", 100_00);
    setup.openAccount(2, "Bob", 0);
    return ds;
  }

  private static long balance(TestDb db, long id) {
    return db.queryLong("SELECT balance FROM " + TABLE + " WHERE id = ?", id);
  }

  private static Fault deadlockOnTheCredit(TestDb db) {
    return Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("balance + ?"))
        .fail(Failures.of(db.database()).deadlock());
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aDeadlockOnTheCreditLosesTheMoneyOrTheTransferAndTheCallerIsMisinformed(TestDb db) throws Exception {
    FaultyDataSource ds = accounts(db);
    try {
      List<SQLException> logged = new CopyOnWriteArrayList<>();
      HandWrittenTransfer hand = new HandWrittenTransfer(ds, TABLE, logged::add);
      ds.faults().inject(deadlockOnTheCredit(db));

      Outcome outcome = hand.transfer(1, 2, 30_00);

      ds.faults().assertAllFired();
      if (db.database() == Database.POSTGRESQL) {
        // the deadlock leaves the transaction aborted: the debit fails too (25P02) and reads as zero rows
        assertEquals(Outcome.INSUFFICIENT_FUNDS, outcome, "Alice has 100.00, the caller is told she lacks 30.00");
        assertEquals(List.of("40P01", "25P02"), logged.stream().map(SQLException::getSQLState).toList());
        assertEquals(100_00, balance(db, 1));
        assertEquals(0, balance(db, 2));
      } else {
        // the deadlock rolled the transaction back; the debit ran in a new one, and was committed alone
        assertEquals(Outcome.COMMITTED, outcome, "the caller is told the transfer succeeded");
        assertEquals(List.of("40001"), logged.stream().map(SQLException::getSQLState).toList());
        assertEquals(70_00, balance(db, 1), "Alice was debited");
        assertEquals(0, balance(db, 2), "Bob was never credited");
        assertEquals(70_00, db.queryLong("SELECT SUM(balance) FROM " + TABLE), "30.00 disappeared");
      }
    } finally {
      ds.faults().reset();
      new BankTransfer(Transactions.create(db.dataSource()), TABLE).dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void txkitRetriesTheSameDeadlockAndAppliesTheTransferOnce(TestDb db) {
    FaultyDataSource ds = accounts(db);
    try {
      BankTransfer bank = new BankTransfer(ds.transactions().build(), TABLE);
      ds.faults().inject(deadlockOnTheCredit(db));

      bank.transfer(1, 2, 30_00);

      ds.faults().assertAllFired();
      ds.recorder().assertAttempts(2);
      ds.recorder().assertRetried(FailureKind.DEADLOCK);
      assertEquals(70_00, balance(db, 1));
      assertEquals(30_00, balance(db, 2));
    } finally {
      ds.faults().reset();
      new BankTransfer(Transactions.create(db.dataSource()), TABLE).dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aLostConnectionReachesTheCallerOfTheHandWrittenCodeAndIsRetriedByTxkit(TestDb db) {
    FaultyDataSource ds = accounts(db);
    try {
      HandWrittenTransfer hand = new HandWrittenTransfer(ds, TABLE, e -> { });
      Fault drop = Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("balance - ?")).dropConnection();
      ds.faults().inject(drop);
      assertThrows(SQLException.class, () -> hand.transfer(1, 2, 30_00));
      assertEquals(100_00, balance(db, 1));
      assertEquals(0, balance(db, 2));

      ds.faults().reset();
      ds.faults().inject(drop);
      new BankTransfer(ds.transactions().build(), TABLE).transfer(1, 2, 30_00);
      ds.faults().assertAllFired();
      assertEquals(70_00, balance(db, 1));
      assertEquals(30_00, balance(db, 2));
    } finally {
      ds.faults().reset();
      new BankTransfer(Transactions.create(db.dataSource()), TABLE).dropSchema();
    }
  }
}
