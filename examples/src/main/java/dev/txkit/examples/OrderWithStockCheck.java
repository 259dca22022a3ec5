package dev.txkit.examples;

import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Places an order: under {@link Isolation#SERIALIZABLE}, decrements the stock only if enough is left
 * ({@code updateOne "... AND stock >= ?"}), inserts an invoice, and sends a receipt after the commit: never for
 * an order that rolled back, and once per order even when a serialization failure made txkit retry it.
 *
 * <p>Thread-safe if the receipt sender is.
 */
public final class OrderWithStockCheck {

  /**
   * What the customer is sent after the order committed.
   *
   * @param invoiceId the invoice's generated id
   * @param productId the product
   * @param quantity how many
   */
  public record Receipt(long invoiceId, long productId, int quantity) {
  }

  private final Transactions txs;
  private final String products;
  private final String invoices;
  private final Consumer<Receipt> receipts;
  private final TxOptions order;

  /**
   * Orders on the tables {@code prefix + "products"} and {@code prefix + "invoices"}.
   *
   * @param txs the transactions
   * @param prefix the table-name prefix, e.g. {@code ""}
   * @param receipts "sends" a receipt; called after the commit, on the ordering thread
   */
  public OrderWithStockCheck(Transactions txs, String prefix, Consumer<Receipt> receipts) {
    this.txs = Objects.requireNonNull(txs, "txs");
    this.products = prefix + "products";
    this.invoices = prefix + "invoices";
    this.receipts = Objects.requireNonNull(receipts, "receipts");
    this.order = txs.defaults().toBuilder().isolation(Isolation.SERIALIZABLE).name("order").build();
  }

  /** Drops and creates the products and invoices tables. */
  public void createSchema() {
    Schema.recreate(txs,
        products, "id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, stock INT NOT NULL",
        // The generated key comes first: PostgreSQL's driver returns the first column as the key.
        invoices, "id " + Schema.generatedKey(txs.database()) + ", product_id BIGINT NOT NULL, quantity INT NOT NULL");
  }

  /** Drops the tables. */
  public void dropSchema() {
    Schema.drop(txs, invoices, products);
  }

  /**
   * Adds a product.
   *
   * @param id the product id
   * @param name its name
   * @param stock how many are in stock
   */
  public void addProduct(long id, String name, int stock) {
    txs.useTransaction(tx -> tx.update("INSERT INTO " + products + " (id, name, stock) VALUES (?, ?, ?)",
        id, name, stock));
  }

  /**
   * Places an order, all or nothing.
   *
   * @param productId the product
   * @param quantity how many, positive
   * @return the invoice id
   * @throws UnexpectedRowCountException if fewer than {@code quantity} are in stock (or there is no such
   *     product): nothing was changed and no receipt is sent
   */
  public long placeOrder(long productId, int quantity) {
    if (quantity <= 0) {
      throw new IllegalArgumentException("quantity must be positive, was " + quantity);
    }
    return txs.inTransaction(order, tx -> {
      tx.updateOne("UPDATE " + products + " SET stock = stock - ? WHERE id = ? AND stock >= ?",
          quantity, productId, quantity);
      long invoiceId = tx.insertAndReturnKey("INSERT INTO " + invoices + " (product_id, quantity) VALUES (?, ?)",
          productId, quantity);
      tx.afterCommit(() -> receipts.accept(new Receipt(invoiceId, productId, quantity)));
      return invoiceId;
    });
  }

  /**
   * How many of a product are in stock.
   *
   * @param productId the product
   * @return the stock
   */
  public int stock(long productId) {
    return txs.inTransaction(tx -> tx.queryOne("SELECT stock FROM " + products + " WHERE id = ?", Integer.class,
        productId));
  }

  /**
   * How many of a product were invoiced.
   *
   * @param productId the product
   * @return the sum of the invoices' quantities
   */
  public long invoicedQuantity(long productId) {
    return txs.inTransaction(tx -> tx.queryOne("SELECT COALESCE(SUM(quantity), 0) FROM " + invoices
        + " WHERE product_id = ?", Long.class, productId));
  }

  /**
   * How many invoices there are.
   *
   * @return the count
   */
  public long invoiceCount() {
    return txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM " + invoices, Long.class));
  }

  /**
   * Three orders for three keyboards in stock, on embedded H2 or {@code args[0]}: the third is out of stock.
   *
   * @param args optional JDBC URL
   */
  public static void main(String[] args) {
    try (Transactions txs = Transactions.create(args.length > 0 ? args[0] : "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1")) {
      OrderWithStockCheck shop = new OrderWithStockCheck(txs, "", r -> System.out.println("  [mail] receipt for "
          + "invoice " + r.invoiceId() + ": " + r.quantity() + " x product " + r.productId()));
      shop.createSchema();
      shop.addProduct(7, "Keyboard", 3);
      for (int quantity : new int[] {2, 2, 1}) {
        try {
          long invoice = shop.placeOrder(7, quantity);
          System.out.println("order of " + quantity + ": invoice " + invoice + ", stock now " + shop.stock(7));
        } catch (UnexpectedRowCountException e) {
          System.out.println("order of " + quantity + ": out of stock, rolled back, no receipt");
        }
      }
      shop.dropSchema();
    }
  }
}
