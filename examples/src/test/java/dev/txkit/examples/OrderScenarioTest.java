package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.ConstraintViolationException;
import dev.txkit.DeadlockException;
import dev.txkit.FailureKind;
import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.Failures;
import dev.txkit.testing.Fault;
import dev.txkit.testing.Faults;
import dev.txkit.testing.Point;
import dev.txkit.testing.Recorder;
import dev.txkit.testing.StatementKind;
import dev.txkit.testing.TableSnapshot;
import dev.txkit.testing.Trigger;
import dev.txkit.testing.TxkitExtension;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The order scenario (take stock, then write the invoice) persists nothing partial whatever fails: the insert,
 * the commit, or the connection before the commit. Uses only the public API of txkit-testing.
 */
class OrderScenarioTest {

  @RegisterExtension
  static TxkitExtension kit = TxkitExtension.builder().h2()
      .schema("CREATE TABLE fi_products (id INT PRIMARY KEY, stock INT NOT NULL)",
          "CREATE TABLE fi_invoices (id INT AUTO_INCREMENT PRIMARY KEY, product_id INT, quantity INT)",
          "INSERT INTO fi_products VALUES (1, 10)")
      .build();

  private TableSnapshot products;
  private TableSnapshot invoices;

  static void placeOrder(Transactions txs, int productId, int quantity) {
    txs.useTransaction(tx -> {
      tx.updateOne("UPDATE fi_products SET stock = stock - ? WHERE id = ? AND stock >= ?", quantity, productId,
          quantity);
      tx.update("INSERT INTO fi_invoices (product_id, quantity) VALUES (?, ?)", productId, quantity);
    });
  }

  @BeforeEach
  void snapshot(DataSource ds) {
    products = TableSnapshot.of(ds, "fi_products", "id");
    invoices = TableSnapshot.of(ds, "fi_invoices", "id");
  }

  private void assertNothingPersisted(Recorder recorder) {
    products.assertUnchanged();
    invoices.assertUnchanged();
    recorder.assertAllClosed();
    recorder.assertConnectionStateRestored();
  }

  @Test
  void insertFails(Transactions txs, Faults faults, Recorder recorder) {
    faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.kind(StatementKind.INSERT))
        .fail(Failures.h2().uniqueViolation()));
    assertThrows(ConstraintViolationException.class, () -> placeOrder(txs, 1, 3));
    assertNothingPersisted(recorder);
    recorder.assertRollbackIssuedByLibrary();
  }

  @Test
  void commitFails(Transactions txs, Faults faults, Recorder recorder) {
    faults.inject(Fault.at(Point.COMMIT_BEFORE).always().fail(Failures.h2().deadlock()));
    assertThrows(DeadlockException.class, () -> placeOrder(txs, 1, 3));
    assertNothingPersisted(recorder);
    recorder.assertAttempts(10);
  }

  @Test
  void connectionDropsBeforeCommit(Transactions txs, Faults faults, Recorder recorder) {
    faults.inject(Fault.at(Point.COMMIT_BEFORE).dropConnection());
    assertThrows(CommitOutcomeUnknownException.class, () -> placeOrder(txs, 1, 3));
    assertNothingPersisted(recorder);
  }

  @Test
  void connectionDropsAfterTheInsertAndTheOrderIsRetriedOnce(Transactions txs, Faults faults, Recorder recorder) {
    // the insert ran, then the connection broke: the server rolled everything back, so txkit retries safely
    faults.inject(Fault.at(Point.STATEMENT_AFTER).when(Trigger.kind(StatementKind.INSERT), Trigger.attempt(1))
        .dropConnection());
    placeOrder(txs, 1, 3);
    recorder.assertAttempts(2);
    recorder.assertRetried(FailureKind.CONNECTION_LOST);
    int stock = txs.inTransaction(tx -> tx.queryOne("SELECT stock FROM fi_products WHERE id = 1", Integer.class));
    long invoiceCount = txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM fi_invoices", Long.class));
    assertEquals(7, stock);
    assertEquals(1, invoiceCount, "the order was applied exactly once");
  }
}
