package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.FaultyDataSource;
import dev.txkit.testing.LockOrderChecker;
import dev.txkit.testing.PossibleDeadlock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lock-order checker on one thread: two opposite transfers that update the rows in the order they are given
 * are a possible deadlock although nothing ever waited; {@link BankTransfer}, which locks both rows in one order
 * with {@code lockRows} first, is none.
 */
class BankTransferLockOrderTest {

  private static final String TABLE = "ex_lock_accounts";

  private FaultyDataSource ds;
  private Transactions txs;
  private LockOrderChecker locks;

  @BeforeEach
  void setUp() {
    ds = FaultyDataSource.wrap(TestDatabases.h2().dataSource());
    txs = Transactions.create(ds);
    BankTransfer bank = new BankTransfer(txs, TABLE);
    bank.createSchema();
    bank.openAccount(1, "Alice", 100);
    bank.openAccount(2, "Bob", 100);
    locks = LockOrderChecker.attach(ds);
  }

  @AfterEach
  void tearDown() {
    new BankTransfer(txs, TABLE).dropSchema();
  }

  /** The transfer without lockRows: debit, then credit, each row locked by its UPDATE. */
  private void unorderedTransfer(long from, long to, long amount) {
    txs.useTransaction(tx -> {
      tx.updateOne("UPDATE " + TABLE + " SET balance = balance - ? WHERE id = ? AND balance >= ?", amount, from,
          amount);
      tx.updateOne("UPDATE " + TABLE + " SET balance = balance + ? WHERE id = ?", amount, to);
    });
  }

  @Test
  void theOppositeTransferPairIsAPossibleDeadlock() {
    unorderedTransfer(1, 2, 10);
    unorderedTransfer(2, 1, 10);
    List<PossibleDeadlock> found = locks.possibleDeadlocks();
    assertEquals(1, found.size(), locks.report());
    assertEquals(List.of(TABLE + ":1", TABLE + ":2"), found.get(0).locks().stream().sorted().toList());
    String text = found.get(0).toString();
    assertTrue(text.contains("held " + TABLE + ":1 [UPDATE " + TABLE + " SET balance = balance - ? WHERE id = ? AND "
        + "balance >= ?] while taking " + TABLE + ":2 [UPDATE " + TABLE + " SET balance = balance + ? WHERE id = ?]"),
        text);
    assertTrue(text.contains("held " + TABLE + ":2 [UPDATE " + TABLE + " SET balance = balance - ? WHERE id = ? AND "
        + "balance >= ?] while taking " + TABLE + ":1 [UPDATE " + TABLE + " SET balance = balance + ? WHERE id = ?]"),
        text);
  }

  @Test
  void theLockRowsTransferIsNone() {
    BankTransfer bank = new BankTransfer(txs, TABLE);
    bank.transfer(1, 2, 10);
    bank.transfer(2, 1, 10);
    locks.assertNoPossibleDeadlocks();
    assertEquals(List.of(), locks.unrecognised());
    assertTrue(locks.report().contains("2 transaction(s) took locks in 6 statement(s); 1 order edge(s)"),
        locks.report());
  }
}
