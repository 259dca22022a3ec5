package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.UnexpectedRowCountException;
import dev.txkit.examples.OrderWithStockCheck.Receipt;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OrderWithStockCheckIT {

  private static final String PREFIX = "ex_order_";

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void concurrentOrdersNeverOversellAndSendOneReceiptPerInvoice(TestDb db) throws Exception {
    List<Receipt> receipts = new CopyOnWriteArrayList<>();
    OrderWithStockCheck shop = new OrderWithStockCheck(Transactions.create(db.dataSource()), PREFIX, receipts::add);
    shop.createSchema();
    try {
      shop.addProduct(1, "Keyboard", 20);
      List<Long> invoices = new CopyOnWriteArrayList<>();
      AtomicInteger outOfStock = new AtomicInteger();
      Concurrently.run(4, thread -> {
        for (int i = 0; i < 8; i++) {
          try {
            invoices.add(shop.placeOrder(1, 1));
          } catch (UnexpectedRowCountException e) {
            outOfStock.incrementAndGet();
          }
        }
      });
      assertEquals(20, invoices.size(), "orders committed");
      assertEquals(12, outOfStock.get(), "orders refused");
      assertEquals(0, shop.stock(1), "stock never negative, all sold");
      assertEquals(20, shop.invoicedQuantity(1));
      assertEquals(20, shop.invoiceCount());
      Set<Long> receiptInvoices = receipts.stream().map(Receipt::invoiceId).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(20, receipts.size(), "one receipt per committed order, none for retried attempts");
      assertEquals(new TreeSet<>(invoices), receiptInvoices);
    } finally {
      shop.dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void outOfStockOrderRollsBackAndSendsNoReceipt(TestDb db) {
    List<Receipt> receipts = new CopyOnWriteArrayList<>();
    OrderWithStockCheck shop = new OrderWithStockCheck(Transactions.create(db.dataSource()), PREFIX, receipts::add);
    shop.createSchema();
    try {
      shop.addProduct(1, "Keyboard", 3);
      long invoice = shop.placeOrder(1, 2);
      assertEquals(List.of(new Receipt(invoice, 1, 2)), receipts);
      assertThrows(UnexpectedRowCountException.class, () -> shop.placeOrder(1, 2));
      assertEquals(1, shop.stock(1));
      assertEquals(1, shop.invoiceCount(), "no invoice for the refused order");
      assertEquals(1, receipts.size(), "no receipt for the refused order");
      assertTrue(shop.placeOrder(1, 1) > invoice);
      assertEquals(0, shop.stock(1));
    } finally {
      shop.dropSchema();
    }
  }
}
