package dev.txkit.examples;

import dev.txkit.RetryEvent;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the three scenarios on an embedded H2 database and prints what happened:
 * {@code mvn -q -pl examples -am test-compile exec:java}.
 */
public final class Demo {

  private Demo() {
  }

  /**
   * Runs the demo.
   *
   * @param args unused
   * @throws InterruptedException if interrupted while waiting for the demo's threads
   */
  public static void main(String[] args) throws InterruptedException {
    // The demo tells its own story: no logging backend, and no SLF4J notice that there is none.
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
      System.setProperty("slf4j.internal.verbosity", "WARN");
    }
    try (Transactions plain = Transactions.create("jdbc:h2:mem:demo;DB_CLOSE_DELAY=-1")) {
      // Same pool and defaults, plus a retry policy that tells what it retries.
      Transactions txs = plain.with(TxOptions.builder()
          .retry(RetryPolicy.builder().onRetry(Demo::printRetry).build())
          .build());
      System.out.println("txkit demo on " + txs.database() + " (embedded, in memory)");
      bankTransfer(txs);
      deadlockRetried(txs);
      orders(txs);
      lastSeats(txs);
      System.out.println();
      System.out.println("Done. The code of each scenario is in examples/src/main/java/dev/txkit/examples.");
    }
  }

  private static void bankTransfer(Transactions txs) {
    heading("1. Bank transfer: lockRows on both accounts, then two updateOne");
    BankTransfer bank = new BankTransfer(txs, "accounts");
    bank.createSchema();
    bank.openAccount(1, "Alice", 100_00);
    bank.openAccount(2, "Bob", 50_00);
    printBalances(bank);

    System.out.println("Transfer 30.00 from Alice to Bob ...");
    bank.transfer(1, 2, 30_00);
    System.out.println("  committed.");
    printBalances(bank);

    System.out.println("Transfer 500.00 from Bob to Alice (Bob has 80.00) ...");
    try {
      bank.transfer(2, 1, 500_00);
      System.out.println("  committed?! This should not happen.");
    } catch (UnexpectedRowCountException e) {
      System.out.println("  failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.out.println("  Alice's credit was made before the debit failed, and was rolled back with it:");
    }
    printBalances(bank);
    System.out.println("  total " + money(bank.totalBalance()) + " (always 150.00)");
  }

  /**
   * Two transfers in opposite directions that lock their rows in the caller's order, not with lockRows, and
   * meet at a barrier after their first update: each waits for the row the other holds, a deadlock. The
   * database rolls one back, txkit retries it, and both transfers go through.
   */
  private static void deadlockRetried(Transactions txs) throws InterruptedException {
    heading("2. A real deadlock, retried");
    BankTransfer bank = new BankTransfer(txs, "accounts");
    System.out.println("Alice -> Bob 10.00 and Bob -> Alice 20.00 at the same time, each updating its own");
    System.out.println("debit row first (no lockRows), and meeting after the first update:");
    CyclicBarrier bothUpdatedFirstRow = new CyclicBarrier(2);
    List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
    Thread a = new Thread(() -> outcomes.add(unorderedTransfer(txs, 1, 2, 10_00, bothUpdatedFirstRow)), "alice");
    Thread b = new Thread(() -> outcomes.add(unorderedTransfer(txs, 2, 1, 20_00, bothUpdatedFirstRow)), "bob");
    a.start();
    b.start();
    a.join(TimeUnit.SECONDS.toMillis(30));
    b.join(TimeUnit.SECONDS.toMillis(30));
    for (String outcome : outcomes) {
      System.out.println("  " + outcome);
    }
    printBalances(bank);
    System.out.println("  total " + money(bank.totalBalance()));
    System.out.println("BankTransfer.transfer locks both rows with lockRows, in one order, so it never deadlocks.");
  }

  private static String unorderedTransfer(Transactions txs, long from, long to, long amount, CyclicBarrier barrier) {
    String name = Thread.currentThread().getName();
    try {
      TxOptions options = txs.defaults().toBuilder().name(name + "'s transfer").build();
      int attempts = txs.inTransaction(options, tx -> {
        tx.updateOne("UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?", amount, from, amount);
        if (tx.attempt() == 1) {
          barrier.await(10, TimeUnit.SECONDS);
        }
        tx.updateOne("UPDATE accounts SET balance = balance + ? WHERE id = ?", amount, to);
        return tx.attempt();
      });
      return name + "'s transfer of " + money(amount) + " committed on attempt " + attempts;
    } catch (Exception e) {
      return name + "'s transfer failed: " + e;
    }
  }

  private static void orders(Transactions txs) throws InterruptedException {
    heading("3. Order with stock check: SERIALIZABLE, updateOne \"... AND stock >= ?\", afterCommit receipt");
    OrderWithStockCheck shop = new OrderWithStockCheck(txs, "", receipt -> System.out.println(
        "  [mail] receipt for invoice " + receipt.invoiceId() + ": " + receipt.quantity() + " x product "
            + receipt.productId()));
    shop.createSchema();
    shop.addProduct(7, "Keyboard", 3);
    System.out.println("Keyboards in stock: " + shop.stock(7));
    for (int quantity : new int[] {2, 2, 1}) {
      System.out.println("Order " + quantity + " keyboard(s) ...");
      try {
        long invoice = shop.placeOrder(7, quantity);
        System.out.println("  committed: invoice " + invoice + "; stock now " + shop.stock(7));
      } catch (UnexpectedRowCountException e) {
        System.out.println("  out of stock, rolled back, no receipt: " + e.getMessage());
      }
    }

    shop.addProduct(8, "Mouse", 10);
    System.out.println("8 threads order 2 mice each, 10 in stock ...");
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger outOfStock = new AtomicInteger();
    runConcurrently(8, i -> {
      try {
        shop.placeOrder(8, 2);
        ok.incrementAndGet();
      } catch (UnexpectedRowCountException e) {
        outOfStock.incrementAndGet();
      }
    });
    System.out.println("  " + ok + " orders committed, " + outOfStock + " out of stock; mice left: " + shop.stock(8)
        + ", invoiced: " + shop.invoicedQuantity(8));
  }

  private static void lastSeats(Transactions txs) throws InterruptedException {
    heading("4. Last seats: 20 passengers try to book a flight with 5 seats at the same moment");
    LastSeatBooking airline = new LastSeatBooking(txs, "");
    airline.createSchema();
    airline.addFlight(101, "TX 101", 5);
    List<String> booked = Collections.synchronizedList(new ArrayList<>());
    List<String> soldOut = Collections.synchronizedList(new ArrayList<>());
    runConcurrently(20, i -> {
      String passenger = "passenger-" + (i + 1);
      try {
        airline.book(101, passenger);
        booked.add(passenger);
      } catch (LastSeatBooking.SoldOutException e) {
        soldOut.add(e.getMessage());
      }
    });
    System.out.println("  booked (" + booked.size() + "): " + String.join(", ", booked));
    System.out.println("  sold out (" + soldOut.size() + "), e.g.: " + (soldOut.isEmpty() ? "-" : soldOut.get(0)));
    System.out.println("  seats booked in the database: " + airline.bookedSeats(101));
  }

  /** Runs {@code task} on {@code threads} threads that start together, and waits for all of them. */
  private static void runConcurrently(int threads, java.util.function.IntConsumer task) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> all = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int n = i;
      Thread t = new Thread(() -> {
        try {
          start.await();
          task.accept(n);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          System.out.println("  unexpected: " + e);
        }
      }, "demo-" + i);
      t.start();
      all.add(t);
    }
    start.countDown();
    for (Thread t : all) {
      t.join(TimeUnit.SECONDS.toMillis(60));
    }
  }

  private static void printRetry(RetryEvent e) {
    System.out.println("  [retry] '" + e.transactionName() + "' attempt " + e.attempt() + " failed with "
        + e.classification().kind() + " (" + databaseMessage(e.failure()) + "); retrying in " + e.delay().toMillis()
        + " ms");
  }

  /** The first line of the database's own message: the first {@code SQLException} in the cause chain. */
  private static String databaseMessage(Throwable t) {
    Throwable c = t;
    while (!(c instanceof java.sql.SQLException) && c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = String.valueOf(c.getMessage());
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.length() > 90 ? m.substring(0, 90) + "..." : m;
  }

  private static void printBalances(BankTransfer bank) {
    System.out.println("  Alice " + money(bank.balance(1)) + ", Bob " + money(bank.balance(2)));
  }

  private static String money(long cents) {
    return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
  }

  private static void heading(String title) {
    System.out.println();
    System.out.println(title);
    System.out.println("-".repeat(title.length()));
  }
}
