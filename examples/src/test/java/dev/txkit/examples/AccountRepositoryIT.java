package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Propagation.MANDATORY: repository calls join the service's transaction and refuse to run outside one. */
class AccountRepositoryIT {

  private static final String TABLE = "ex_repo_accounts";

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void repositoryCallsJoinTheCallersTransactionAndFailOutsideOne(TestDb db) {
    Transactions txs = Transactions.create(db.dataSource());
    AccountRepository repo = new AccountRepository(txs, TABLE);
    repo.createSchema();
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> repo.open(1, 100));
      assertTrue(e.getMessage().contains("MANDATORY"), e.getMessage());
      assertEquals(0, db.queryLong("SELECT COUNT(*) FROM " + TABLE), "nothing ran outside a transaction");

      txs.useTransaction(tx -> {
        repo.open(1, 100);
        repo.open(2, 0);
      });
      repo.transfer(1, 2, 30);
      assertEquals(70, db.queryLong("SELECT balance FROM " + TABLE + " WHERE id = 1"));
      assertEquals(30, db.queryLong("SELECT balance FROM " + TABLE + " WHERE id = 2"));

      // the credit joined the service's transaction, so it rolls back with the failed debit
      assertThrows(UnexpectedRowCountException.class, () -> repo.transfer(1, 2, 500));
      assertEquals(70, db.queryLong("SELECT balance FROM " + TABLE + " WHERE id = 1"));
      assertEquals(30, db.queryLong("SELECT balance FROM " + TABLE + " WHERE id = 2"));

      assertThrows(IllegalStateException.class, () -> repo.change(1, -10));
      assertEquals(70, db.queryLong("SELECT balance FROM " + TABLE + " WHERE id = 1"));
    } finally {
      repo.dropSchema();
    }
  }
}
