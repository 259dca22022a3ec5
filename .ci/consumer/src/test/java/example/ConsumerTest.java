package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import org.junit.jupiter.api.Test;

/** Runs a transaction on H2 with txkit resolved through the BOM, as a user's build would. */
class ConsumerTest {

  @Test
  void aTransactionCommitsAndAFailedOneRollsBack() {
    try (Transactions txs = Transactions.create("jdbc:h2:mem:consumer;DB_CLOSE_DELAY=-1")) {
      txs.useTransaction(tx -> {
        tx.update("CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)");
        tx.update("INSERT INTO accounts VALUES (1, 100), (2, 0)");
      });
      txs.useTransaction(tx -> {
        tx.updateOne("UPDATE accounts SET balance = balance - 30 WHERE id = 1 AND balance >= 30");
        tx.updateOne("UPDATE accounts SET balance = balance + 30 WHERE id = 2");
      });
      assertThrows(UnexpectedRowCountException.class, () -> txs.useTransaction(tx -> {
        tx.updateOne("UPDATE accounts SET balance = balance + 500 WHERE id = 2");
        tx.updateOne("UPDATE accounts SET balance = balance - 500 WHERE id = 1 AND balance >= 500");
      }));
      int first = txs.inTransaction(tx -> tx.queryOne("SELECT balance FROM accounts WHERE id = 1", Integer.class));
      int second = txs.inTransaction(tx -> tx.queryOne("SELECT balance FROM accounts WHERE id = 2", Integer.class));
      assertEquals(70, first);
      assertEquals(30, second);
    }
  }
}
