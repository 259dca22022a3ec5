package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.UnexpectedRowCountException;
import dev.txkit.examples.OrderConfirmation.Email;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.Failures;
import dev.txkit.testing.Fault;
import dev.txkit.testing.FaultyDataSource;
import dev.txkit.testing.Point;
import dev.txkit.testing.Trigger;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** afterCommit e-mails only committed orders, once; sent inside the transaction, they go out for rollbacks too. */
class OrderConfirmationIT {

  private static final String PREFIX = "ex_mail_";

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void afterCommitMailsOnlyCommittedOrders(TestDb db) {
    List<Email> outbox = new CopyOnWriteArrayList<>();
    OrderConfirmation shop = new OrderConfirmation(Transactions.create(db.dataSource()), PREFIX, outbox::add);
    shop.createSchema();
    try {
      shop.addProduct(1, 1);
      shop.placeOrder(1, "ada", 1);
      assertThrows(UnexpectedRowCountException.class, () -> shop.placeOrder(2, "bob", 1));
      assertEquals(List.of(1L), db.queryLongs("SELECT id FROM " + PREFIX + "orders ORDER BY id"));
      assertEquals(List.of(new Email(1, "ada")), outbox, "no e-mail for the order that rolled back");
    } finally {
      shop.dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void sentInsideTheTransactionTheEmailConfirmsAnOrderThatRolledBack(TestDb db) {
    List<Email> outbox = new CopyOnWriteArrayList<>();
    OrderConfirmation shop = new OrderConfirmation(Transactions.create(db.dataSource()), PREFIX, outbox::add);
    shop.createSchema();
    try {
      shop.addProduct(1, 1);
      shop.placeOrderSendingInside(1, "ada", 1);
      assertThrows(UnexpectedRowCountException.class, () -> shop.placeOrderSendingInside(2, "bob", 1));
      assertEquals(List.of(1L), db.queryLongs("SELECT id FROM " + PREFIX + "orders ORDER BY id"),
          "bob's order rolled back");
      assertEquals(List.of(new Email(1, "ada"), new Email(2, "bob")), outbox,
          "bob was told his order is confirmed");
    } finally {
      shop.dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aRetriedOrderIsMailedOnceWithAfterCommitAndTwiceFromInside(TestDb db) {
    FaultyDataSource ds = FaultyDataSource.wrap(db.dataSource());
    List<Email> outbox = new CopyOnWriteArrayList<>();
    OrderConfirmation shop = new OrderConfirmation(ds.transactions().build(), PREFIX, outbox::add);
    shop.createSchema();
    try {
      shop.addProduct(1, 10);
      // the stock update of the first attempt deadlocks; txkit rolls back and retries the whole order
      Fault deadlockOnce = Fault.at(Point.STATEMENT_BEFORE)
          .when(Trigger.sqlContains("SET stock"), Trigger.attempt(1)).fail(Failures.of(db.database()).deadlock());
      ds.faults().inject(deadlockOnce);
      shop.placeOrder(1, "ada", 1);
      ds.faults().assertAllFired();
      assertEquals(List.of(new Email(1, "ada")), outbox, "afterCommit: one e-mail for the one order");

      ds.faults().inject(deadlockOnce);
      shop.placeOrderSendingInside(2, "bob", 1);
      ds.faults().assertAllFired();
      assertEquals(List.of(new Email(1, "ada"), new Email(2, "bob"), new Email(2, "bob")), outbox,
          "sent inside: once per attempt");
      assertEquals(List.of(1L, 2L), db.queryLongs("SELECT id FROM " + PREFIX + "orders ORDER BY id"));
      assertEquals(8, db.queryLong("SELECT stock FROM " + PREFIX + "products WHERE id = 1"));
    } finally {
      ds.faults().reset();
      shop.dropSchema();
    }
  }
}
