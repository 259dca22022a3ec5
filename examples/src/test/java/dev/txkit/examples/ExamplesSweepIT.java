package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.TransactionException;
import dev.txkit.examples.LastSeatBooking.SoldOutException;
import dev.txkit.examples.OrderWithStockCheck.Receipt;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.Sweep;
import dev.txkit.testing.SweepCase;
import dev.txkit.testing.SweepTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;

/**
 * Every failure point of the three example transactions, with every kind of failure that makes sense there, on H2,
 * PostgreSQL and MariaDB: txkit must leave no wrong point (the invariant holds, and what the caller saw matches
 * what was committed), and must hide every failure it retries by default from the caller. One JUnit invocation per
 * point and kind; each sweep prints its table of points x kinds when the template ends.
 */
class ExamplesSweepIT {

  private static final String ACCOUNTS = "ex_sw_accounts";
  private static final String SHOP = "ex_sw_";
  private static final String AIRLINE = "ex_sw_";

  @AfterAll
  static void dropTables() {
    for (TestDb db : TestDatabases.all()) {
      if (db.database() != Database.H2) {
        db.exec("DROP TABLE IF EXISTS " + ACCOUNTS, "DROP TABLE IF EXISTS " + SHOP + "invoices",
            "DROP TABLE IF EXISTS " + SHOP + "products", "DROP TABLE IF EXISTS " + AIRLINE + "bookings",
            "DROP TABLE IF EXISTS " + AIRLINE + "flights");
      }
    }
  }

  static long one(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getLong(1);
    }
  }

  // ---- the bank transfer -------------------------------------------------------------------------------------

  static List<Sweep> transfers() {
    List<Sweep> sweeps = new ArrayList<>();
    for (TestDb db : TestDatabases.all()) {
      DataSource ds = db.dataSource();
      BankTransfer bank = new BankTransfer(Transactions.create(ds), ACCOUNTS);
      bank.createSchema();
      bank.openAccount(1, "Alice", 100);
      bank.openAccount(2, "Bob", 50);
      sweeps.add(Sweep.builder(ds).name("bank transfer").tables(ACCOUNTS).expectRecovery(true)
          .invariant((real, seen) -> {
            assertEquals(150, one(real, "SELECT SUM(balance) FROM " + ACCOUNTS), "total");
            assertTrue(one(real, "SELECT MIN(balance) FROM " + ACCOUNTS) >= 0, "no negative balance");
          })
          .unit(txs -> new BankTransfer(txs, ACCOUNTS).transfer(1, 2, 30)));
    }
    return sweeps;
  }

  /** The caller sees txkit's exceptions, or the example's own, never a driver's. */
  private static void assertNoDriverException(SweepCase run) {
    Throwable f = run.outcome().failure();
    assertTrue(f == null || f instanceof TransactionException || f instanceof SoldOutException,
        "the caller sees txkit's exceptions, never a driver's: " + f);
  }

  @SweepTest("transfers")
  void bankTransfer(SweepCase run) {
    assertNoDriverException(run);
  }

  // ---- the order with stock check ----------------------------------------------------------------------------

  static List<Sweep> orders() {
    List<Sweep> sweeps = new ArrayList<>();
    for (TestDb db : TestDatabases.all()) {
      DataSource ds = db.dataSource();
      OrderWithStockCheck shop = new OrderWithStockCheck(Transactions.create(ds), SHOP, r -> { });
      shop.createSchema();
      shop.addProduct(1, "Keyboard", 10);
      List<Receipt> receipts = new CopyOnWriteArrayList<>();
      sweeps.add(Sweep.builder(ds).name("order with stock check").tables(SHOP + "products", SHOP + "invoices")
          .ignoreColumns(SHOP + "invoices", "id").expectRecovery(true)
          .invariant((real, seen) -> {
            long stock = one(real, "SELECT stock FROM " + SHOP + "products WHERE id = 1");
            long invoiced = one(real, "SELECT COALESCE(SUM(quantity), 0) FROM " + SHOP + "invoices");
            assertEquals(10, stock + invoiced, "stock + invoiced");
            // a receipt only for an order the caller saw committed, and only one (none after a retried attempt)
            assertEquals(seen.returned() ? 1 : 0, receipts.size(), "receipts " + receipts);
          })
          .unitReturning(txs -> {
            receipts.clear();
            return new OrderWithStockCheck(txs, SHOP, receipts::add).placeOrder(1, 3);
          }));
    }
    return sweeps;
  }

  @SweepTest("orders")
  void orderWithStockCheck(SweepCase run) {
    assertNoDriverException(run);
    if (run.outcome().returned()) {
      assertTrue(run.outcome().value() instanceof Long, "the invoice id is returned");
    }
  }

  // ---- the seat booking: the last seat, and a sold-out flight ------------------------------------------------

  static List<Sweep> bookings() {
    List<Sweep> sweeps = new ArrayList<>();
    for (TestDb db : TestDatabases.all()) {
      DataSource ds = db.dataSource();
      LastSeatBooking airline = new LastSeatBooking(Transactions.create(ds), AIRLINE);
      airline.createSchema();
      airline.addFlight(1, "TX 1", 2);
      airline.addFlight(2, "TX 2", 1);
      airline.book(1, "first");
      airline.book(2, "only");
      Sweep.Invariant notOverbooked = (real, seen) -> {
        for (long flight = 1; flight <= 2; flight++) {
          long booked = one(real, "SELECT COUNT(*) FROM " + AIRLINE + "bookings WHERE flight_id = " + flight);
          long left = one(real, "SELECT seats_left FROM " + AIRLINE + "flights WHERE id = " + flight);
          assertEquals(flight == 1 ? 2 : 1, booked + left, "flight " + flight + ": booked + seats left = capacity");
        }
        assertEquals(1, one(real, "SELECT COUNT(*) FROM " + AIRLINE + "bookings WHERE flight_id = 2"));
      };
      String[] tables = {AIRLINE + "flights", AIRLINE + "bookings"};
      sweeps.add(Sweep.builder(ds).name("last seat").tables(tables).ignoreColumns(AIRLINE + "bookings", "id")
          .expectRecovery(true).invariant(notOverbooked)
          .unit(txs -> new LastSeatBooking(txs, AIRLINE).book(1, "last")));
      sweeps.add(Sweep.builder(ds).name("sold out").tables(tables).ignoreColumns(AIRLINE + "bookings", "id")
          .expectRecovery(true).invariant(notOverbooked)
          .invariant((real, seen) -> assertTrue(seen.returned() || seen.failure() instanceof SoldOutException
              || seen.failure() instanceof TransactionException, "caller saw " + seen.failure()))
          .unit(txs -> new LastSeatBooking(txs, AIRLINE).book(2, "late")));
    }
    return sweeps;
  }

  @SweepTest("bookings")
  void seatBooking(SweepCase run) {
    assertNoDriverException(run);
  }
}
