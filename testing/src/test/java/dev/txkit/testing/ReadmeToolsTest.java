package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep, workload and lock-order snippets of the README's testing section, run as they are printed there:
 * {@link ReadmeSectionTest} checks that the README shows the code between the {@code readme:} markers verbatim.
 */
class ReadmeToolsTest {

  private HikariDataSource pool;
  private DataSource dataSource;

  @BeforeEach
  void setUp() throws SQLException {
    pool = TestDatabases.h2().newPool(10);
    dataSource = pool;
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE products (id INT PRIMARY KEY, stock INT NOT NULL)");
      st.execute("CREATE TABLE invoices (id INT AUTO_INCREMENT PRIMARY KEY, product_id INT, quantity INT)");
      st.execute("INSERT INTO products VALUES (1, 10)");
    }
  }

  @AfterEach
  void tearDown() {
    pool.close();
  }

  static long stockPlusInvoiced(DataSource db) throws SQLException {
    try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT (SELECT SUM(stock) FROM products) + (SELECT COALESCE(SUM(quantity), 0) FROM invoices)")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void sweep() throws SQLException {
    // readme:sweep
    SweepReport report = Sweep.builder(dataSource)
        .tables("products", "invoices").ignoreColumns("invoices", "id")  // restored before each run, then compared
        .invariant((db, seen) -> assertEquals(10, stockPlusInvoiced(db)))
        .unit(txs -> ReadmeExampleTest.placeOrder(txs, 1, 3))
        .run();
    System.out.println(report.table());  // every point x kind of failure, with what the caller saw
    report.assertNoWrongPoints();        // else: each wrong run with its JDBC trace and the Fault code to replay it
    // end:sweep
    assertTrue(report.cases().size() > 15, report.table());
    assertEquals(10, stockPlusInvoiced(dataSource), "restored");
  }

  @Test
  void workload() {
    // readme:workload
    WorkloadResult result = WorkloadRunner.builder(pool, BankWorkload.builder().accounts(10).build())
        .threads(8).duration(Duration.ofSeconds(1))
        .faultRate(0.05)                  // a deadlock, a lost connection, a lost commit reply... in 1 operation of 20
        .run();
    System.out.println(result.summary());  // operations by outcome, retries by kind, faults fired, checker verdicts
    result.assertValid();                  // fails with the seed: .seed(seed) replays the same fault schedule
    // end:workload
    assertTrue(result.history().count("transfer", History.Outcome.OK) > 0);
  }

  @Test
  void lockOrder() {
    FaultyDataSource ds = FaultyDataSource.wrap(dataSource);
    Transactions txs = Transactions.create(ds);
    txs.useTransaction(tx -> tx.update("INSERT INTO products VALUES (2, 10)"));
    // readme:lock-order
    LockOrderChecker locks = LockOrderChecker.attach(ds);
    txs.useTransaction(tx -> {                               // 1 then 2
      tx.update("UPDATE products SET stock = stock - 1 WHERE id = ?", 1);
      tx.update("UPDATE products SET stock = stock - 1 WHERE id = ?", 2);
    });
    txs.useTransaction(tx -> {                               // 2 then 1: never ran at the same time as the other
      tx.update("UPDATE products SET stock = stock - 1 WHERE id = ?", 2);
      tx.update("UPDATE products SET stock = stock - 1 WHERE id = ?", 1);
    });
    List<PossibleDeadlock> found = locks.possibleDeadlocks();  // one: held products:1 while taking products:2, and back
    // end:lock-order
    assertEquals(1, found.size(), locks.report());
  }
}
