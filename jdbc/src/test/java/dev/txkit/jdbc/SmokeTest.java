package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import dev.txkit.Isolation;
import dev.txkit.UnexpectedRowCountException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class SmokeTest {
  record Account(long id, long balance) {}

  @Test
  void transferCommitsAndRollsBack() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:smoke;DB_CLOSE_DELAY=-1");
    Transactions txs = Transactions.create(ds);
    txs.useTransaction(tx -> {
      tx.update("CREATE TABLE accounts(id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)");
      tx.update("INSERT INTO accounts VALUES (1, 100), (2, 0)");
    });
    txs.useTransaction(Isolation.SERIALIZABLE, tx -> {
      tx.updateOne("UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?", 30, 1, 30);
      tx.updateOne("UPDATE accounts SET balance = balance + ? WHERE id = ?", 30, 2);
    });
    assertThrows(UnexpectedRowCountException.class, () -> txs.useTransaction(tx -> {
      tx.updateOne("UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?", 10, 2, 10);
      tx.updateOne("UPDATE accounts SET balance = balance + ? WHERE id = ?", 10, 99);
    }));
    var rows = txs.inTransaction(tx -> tx.query("SELECT id, balance FROM accounts ORDER BY id", Account.class));
    assertEquals(java.util.List.of(new Account(1, 70), new Account(2, 30)), rows);
    assertEquals(java.util.List.of(1L, 2L), txs.inTransaction(tx -> tx.lockRows("accounts", "id", java.util.List.of(2L, 1L, 2L, 7L))));
  }
}
