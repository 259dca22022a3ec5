package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.ConstraintViolationException;
import dev.txkit.FailureKind;
import dev.txkit.jdbc.Transactions;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeExampleTest {

  @RegisterExtension
  static TxkitExtension kit = TxkitExtension.builder().h2()   // a fresh H2 database for each test
      .schema("CREATE TABLE products (id INT PRIMARY KEY, stock INT NOT NULL)",
          "CREATE TABLE invoices (id INT AUTO_INCREMENT PRIMARY KEY, product_id INT, quantity INT)",
          "INSERT INTO products VALUES (1, 10)")
      .build();

  /** The code under test: take stock, then write the invoice, in one transaction. */
  static void placeOrder(Transactions txs, int productId, int quantity) {
    txs.useTransaction(tx -> {
      tx.updateOne("UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?", quantity, productId,
          quantity);
      tx.update("INSERT INTO invoices (product_id, quantity) VALUES (?, ?)", productId, quantity);
    });
  }

  static int stock(Transactions txs) {
    return txs.inTransaction(tx -> tx.queryOne("SELECT stock FROM products WHERE id = 1", Integer.class));
  }

  @Test
  void deadlockIsRetriedAndTheOrderAppliedOnce(Transactions txs, Faults faults, Recorder recorder) {
    faults.inject(Fault.at(Point.STATEMENT_BEFORE)
        .when(Trigger.table("invoices"), Trigger.attempt(1))
        .fail(Failures.h2().deadlock()));

    placeOrder(txs, 1, 3);

    recorder.assertAttempts(2);
    recorder.assertRetried(FailureKind.DEADLOCK);
    recorder.assertRollbackIssuedByLibrary();
    assertEquals(7, stock(txs));
  }

  @Test
  void failedInvoicePersistsNothing(Transactions txs, Faults faults, DataSource ds) {
    TableSnapshot products = TableSnapshot.of(ds, "products", "id");
    faults.inject(Fault.at(Point.STATEMENT_AFTER)       // the insert ran, then the error arrives
        .when(Trigger.kind(StatementKind.INSERT))
        .fail(Failures.h2().uniqueViolation()));

    assertThrows(ConstraintViolationException.class, () -> placeOrder(txs, 1, 3));

    products.assertUnchanged();                          // the stock update was rolled back too
  }

  @Test
  void lostCommitReplyIsReportedAsUnknown(Transactions txs, Faults faults, Recorder recorder) {
    faults.inject(Fault.at(Point.COMMIT_AFTER).dropConnection());

    assertThrows(CommitOutcomeUnknownException.class, () -> placeOrder(txs, 1, 3));

    assertEquals(7, stock(txs));                         // committed, although the caller saw an error
    recorder.assertAttempts(1);                          // and not retried blindly
  }
}
