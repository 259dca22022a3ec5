package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BankTransferIT {

  private static final String TABLE = "ex_bank_accounts";

  private static BankTransfer bank(TestDb db) {
    BankTransfer bank = new BankTransfer(Transactions.create(db.dataSource()), TABLE);
    bank.createSchema();
    return bank;
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void concurrentTransfersConserveTheTotalAndNeverOverdraw(TestDb db) throws Exception {
    BankTransfer bank = bank(db);
    try {
      for (long id = 1; id <= 4; id++) {
        bank.openAccount(id, "owner-" + id, 1_000);
      }
      AtomicInteger committed = new AtomicInteger();
      AtomicInteger insufficient = new AtomicInteger();
      Concurrently.run(4, thread -> {
        Random random = new Random(thread);
        for (int i = 0; i < 25; i++) {
          long from = 1 + random.nextInt(4);
          long to = 1 + (from + random.nextInt(3)) % 4;
          try {
            bank.transfer(from, to, 1 + random.nextInt(700));
            committed.incrementAndGet();
          } catch (UnexpectedRowCountException e) {
            insufficient.incrementAndGet();
          }
        }
      });
      assertEquals(100, committed.get() + insufficient.get());
      assertTrue(committed.get() > 0, "some transfers committed");
      assertEquals(4_000, bank.totalBalance(), "sum of balances");
      assertTrue(bank.lowestBalance() >= 0, "no negative balance, lowest " + bank.lowestBalance());
    } finally {
      bank.dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void insufficientFundsRollBackTheWholeTransfer(TestDb db) {
    BankTransfer bank = bank(db);
    try {
      bank.openAccount(1, "Alice", 100);
      bank.openAccount(2, "Bob", 50);
      UnexpectedRowCountException e = assertThrows(UnexpectedRowCountException.class, () -> bank.transfer(2, 1, 500));
      assertEquals(0, e.actual());
      assertEquals(100, bank.balance(1), "the credit made before the failed debit is rolled back");
      assertEquals(50, bank.balance(2));
      bank.transfer(2, 1, 50);
      assertEquals(150, bank.balance(1));
      assertEquals(0, bank.balance(2));
    } finally {
      bank.dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void transferToAMissingAccountChangesNothing(TestDb db) {
    BankTransfer bank = bank(db);
    try {
      bank.openAccount(1, "Alice", 100);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bank.transfer(1, 99, 10));
      assertTrue(e.getMessage().contains("no such account"), e.getMessage());
      assertEquals(100, bank.totalBalance());
    } finally {
      bank.dropSchema();
    }
  }
}
