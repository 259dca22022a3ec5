package dev.txkit.examples;

import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An order that sends a confirmation e-mail, two ways. {@link #placeOrder} registers the e-mail with
 * {@code tx.afterCommit}: it goes out once, after the commit, and never for an order that rolled back or for an
 * attempt that txkit retried. {@link #placeOrderSendingInside} sends it from inside the transaction, as code often
 * does: the customer gets a confirmation for an order that then rolls back (out of stock), and one per attempt
 * when a deadlock makes txkit retry. {@code OrderConfirmationIT} shows both on each database. Run it:
 * {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.txkit.examples.OrderConfirmation}.
 *
 * <p>Thread-safe if the mailer is.
 */
public final class OrderConfirmation {

  /**
   * A confirmation e-mail.
   *
   * @param orderId the order
   * @param customer to whom
   */
  public record Email(long orderId, String customer) {
  }

  private final Transactions txs;
  private final String products;
  private final String orders;
  private final Consumer<Email> mailer;

  /**
   * Orders on the tables {@code prefix + "products"} and {@code prefix + "orders"}.
   *
   * @param txs the transactions
   * @param prefix the table-name prefix, e.g. {@code ""}
   * @param mailer sends an e-mail
   */
  public OrderConfirmation(Transactions txs, String prefix, Consumer<Email> mailer) {
    this.txs = Objects.requireNonNull(txs, "txs");
    this.products = prefix + "products";
    this.orders = prefix + "orders";
    this.mailer = Objects.requireNonNull(mailer, "mailer");
  }

  /** Drops and creates the tables. */
  public void createSchema() {
    Schema.recreate(txs,
        products, "id BIGINT PRIMARY KEY, stock INT NOT NULL",
        orders, "id BIGINT PRIMARY KEY, customer VARCHAR(100) NOT NULL, product_id BIGINT NOT NULL");
  }

  /** Drops the tables. */
  public void dropSchema() {
    Schema.drop(txs, orders, products);
  }

  /**
   * Adds a product.
   *
   * @param id the product id
   * @param stock how many are in stock
   */
  public void addProduct(long id, int stock) {
    txs.useTransaction(tx -> tx.update("INSERT INTO " + products + " (id, stock) VALUES (?, ?)", id, stock));
  }

  /**
   * Records the order, takes one from stock, and e-mails the customer after the commit.
   *
   * @param orderId the order id
   * @param customer who orders
   * @param productId what
   * @throws UnexpectedRowCountException if the product is out of stock: no order, no e-mail
   */
  public void placeOrder(long orderId, String customer, long productId) {
    txs.useTransaction(tx -> {
      tx.update("INSERT INTO " + orders + " (id, customer, product_id) VALUES (?, ?, ?)", orderId, customer,
          productId);
      tx.afterCommit(() -> mailer.accept(new Email(orderId, customer)));
      tx.updateOne("UPDATE " + products + " SET stock = stock - 1 WHERE id = ? AND stock > 0", productId);
    });
  }

  /**
   * The same order with the e-mail sent inside the transaction, right after the order row is written.
   * Do not write it this way; it is here to show why.
   *
   * @param orderId the order id
   * @param customer who orders
   * @param productId what
   * @throws UnexpectedRowCountException if the product is out of stock: no order, but the e-mail is gone
   */
  public void placeOrderSendingInside(long orderId, String customer, long productId) {
    txs.useTransaction(tx -> {
      tx.update("INSERT INTO " + orders + " (id, customer, product_id) VALUES (?, ?, ?)", orderId, customer,
          productId);
      mailer.accept(new Email(orderId, customer));
      tx.updateOne("UPDATE " + products + " SET stock = stock - 1 WHERE id = ? AND stock > 0", productId);
    });
  }

  /**
   * The orders that committed.
   *
   * @return their ids, ascending
   */
  public List<Long> orderIds() {
    return txs.inTransaction(tx -> tx.query("SELECT id FROM " + orders + " ORDER BY id", Long.class));
  }

  /**
   * Orders the last item twice, each way, on embedded H2 or {@code args[0]}.
   *
   * @param args optional JDBC URL
   */
  public static void main(String[] args) {
    try (Transactions txs = Transactions.create(args.length > 0 ? args[0] : "jdbc:h2:mem:confirmations;DB_CLOSE_DELAY=-1")) {
      List<Email> outbox = new CopyOnWriteArrayList<>();
      OrderConfirmation shop = new OrderConfirmation(txs, "", outbox::add);
      shop.createSchema();
      shop.addProduct(1, 1);
      shop.addProduct(2, 1);
      for (long order = 1; order <= 2; order++) {
        try {
          shop.placeOrder(order, "customer-" + order, 1);
        } catch (UnexpectedRowCountException e) {
          System.out.println("afterCommit:      order " + order + " out of stock, rolled back");
        }
      }
      for (long order = 3; order <= 4; order++) {
        try {
          shop.placeOrderSendingInside(order, "customer-" + order, 2);
        } catch (UnexpectedRowCountException e) {
          System.out.println("sent inside:      order " + order + " out of stock, rolled back");
        }
      }
      System.out.println("orders committed: " + shop.orderIds());
      System.out.println("e-mails sent:     " + outbox);
      shop.dropSchema();
    }
  }
}
