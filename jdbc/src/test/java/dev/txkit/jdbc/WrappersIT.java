package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.math.BigDecimal;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The statement wrappers on {@code tx}, with what they leave in and read from each database. */
class WrappersIT {

  record Item(long itemId, String itemName, BigDecimal unitPrice, Integer quantity) {}

  private static Transactions setUp(TestDb db) {
    db.createTable("t2_items", "item_id " + db.identity() + ", item_name VARCHAR(50) NOT NULL, "
        + "unit_price DECIMAL(10, 2), quantity INT");
    return Transactions.create(db.dataSource());
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void insertAndReturnKeyReturnsTheGeneratedKeys(TestDb db) {
    Transactions txs = setUp(db);
    long first = txs.inTransaction(tx -> tx.insertAndReturnKey(
        "INSERT INTO t2_items(item_name, unit_price, quantity) VALUES (?, ?, ?)", "apple", new BigDecimal("1.25"), 3));
    long second = txs.inTransaction(tx -> tx.insertAndReturnKey(
        "INSERT INTO t2_items(item_name, unit_price, quantity) VALUES (?, ?, ?)", "pear", null, null));
    assertNotEquals(first, second);
    assertEquals(List.of(first, second), db.queryLongs("SELECT item_id FROM t2_items ORDER BY item_id"));
    assertEquals(3, db.queryLong("SELECT quantity FROM t2_items WHERE item_id = ?", first));
    assertEquals(1, db.queryLong("SELECT COUNT(*) FROM t2_items WHERE item_id = ? AND unit_price IS NULL "
        + "AND quantity IS NULL", second), "null parameters are stored as NULL");
    // a rolled-back insert leaves no row
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      tx.insertAndReturnKey("INSERT INTO t2_items(item_name) VALUES (?)", "plum");
      throw new IllegalStateException("boom");
    }));
    assertEquals(2, db.queryLong("SELECT COUNT(*) FROM t2_items"));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void updateQueryAndMappers(TestDb db) {
    Transactions txs = setUp(db);
    txs.useTransaction(tx -> {
      for (String name : List.of("apple", "pear", "plum")) {
        tx.update("INSERT INTO t2_items(item_name, unit_price, quantity) VALUES (?, ?, ?)", name,
            new BigDecimal("2.50"), name.length());
      }
    });
    assertEquals(2, (int) txs.inTransaction(tx -> tx.update("UPDATE t2_items SET quantity = quantity + ? "
        + "WHERE quantity = ?", 10, 4)));
    assertEquals(List.of(5L, 14L, 14L), db.queryLongs("SELECT quantity FROM t2_items ORDER BY item_id"));

    // a RowMapper lambda
    List<String> names = txs.inTransaction(tx -> tx.query("SELECT item_name, quantity FROM t2_items "
        + "WHERE quantity > ? ORDER BY item_id", rs -> rs.getString(1) + "=" + rs.getInt("quantity"), 10));
    assertEquals(List.of("pear=14", "plum=14"), names);

    // a record, snake_case columns onto camelCase components, in any column order
    List<Item> items = txs.inTransaction(tx -> tx.query("SELECT quantity, unit_price, item_name, item_id "
        + "FROM t2_items WHERE item_name <> ? ORDER BY item_id", Item.class, "pear"));
    assertEquals(2, items.size());
    assertEquals("apple", items.get(0).itemName());
    assertEquals(new BigDecimal("2.50"), items.get(0).unitPrice());
    assertEquals(14, items.get(1).quantity());
    assertTrue(items.get(0).itemId() < items.get(1).itemId());

    // a single column by class
    assertEquals(List.of("apple", "pear", "plum"), txs.inTransaction(tx -> tx.query(
        "SELECT item_name FROM t2_items ORDER BY item_id", String.class)));
    assertEquals(List.of(5L, 14L, 14L), txs.inTransaction(tx -> tx.query(
        "SELECT quantity FROM t2_items ORDER BY item_id", Long.class)));
    assertEquals(List.of(), txs.inTransaction(tx -> tx.query("SELECT item_name FROM t2_items WHERE 1 = 0",
        String.class)));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void queryOneAndQueryOptionalInsistOnTheRowCount(TestDb db) {
    Transactions txs = setUp(db);
    db.exec("INSERT INTO t2_items(item_name, quantity) VALUES ('apple', 1), ('pear', 1), ('plum', NULL)");
    assertEquals("pear", txs.inTransaction(tx -> tx.queryOne("SELECT item_name FROM t2_items WHERE item_name = ?",
        String.class, "pear")));
    Item plum = txs.inTransaction(tx -> tx.queryOne("SELECT * FROM t2_items WHERE item_name = ?", Item.class,
        "plum"));
    assertNull(plum.quantity());
    assertNull(plum.unitPrice());

    UnexpectedRowCountException none = assertThrows(UnexpectedRowCountException.class,
        () -> txs.inTransaction(tx -> tx.queryOne("SELECT item_name FROM t2_items WHERE item_name = ?",
            String.class, "kiwi")));
    assertEquals(0, none.actual());
    UnexpectedRowCountException two = assertThrows(UnexpectedRowCountException.class,
        () -> txs.inTransaction(tx -> tx.queryOne("SELECT item_name FROM t2_items WHERE quantity = ?",
            rs -> rs.getString(1), 1)));
    assertEquals(2, two.actual());

    assertEquals(Optional.of("apple"), txs.inTransaction(tx -> tx.queryOptional(
        "SELECT item_name FROM t2_items WHERE item_name = ?", String.class, "apple")));
    assertEquals(Optional.empty(), txs.inTransaction(tx -> tx.queryOptional(
        "SELECT item_name FROM t2_items WHERE item_name = ?", String.class, "kiwi")));
    assertEquals(Optional.empty(), txs.inTransaction(tx -> tx.queryOptional(
        "SELECT quantity FROM t2_items WHERE item_name = ?", Integer.class, "plum")), "NULL gives empty");
    assertThrows(UnexpectedRowCountException.class, () -> txs.inTransaction(tx -> tx.queryOptional(
        "SELECT item_name FROM t2_items WHERE quantity = ?", String.class, 1)));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void batchInsertsEveryRowOrNone(TestDb db) {
    Transactions txs = setUp(db);
    List<Object[]> rows = List.of(new Object[] {"a", new BigDecimal("1.00"), 1},
        new Object[] {"b", null, null}, new Object[] {"c", new BigDecimal("3.00"), 3});
    int[] counts = txs.inTransaction(tx -> tx.batch(
        "INSERT INTO t2_items(item_name, unit_price, quantity) VALUES (?, ?, ?)", rows));
    assertEquals(3, counts.length);
    for (int c : counts) {
      assertTrue(c == 1 || c == Statement.SUCCESS_NO_INFO, Arrays.toString(counts));
    }
    assertEquals(List.of("a", "b", "c"), txs.inTransaction(tx -> tx.query(
        "SELECT item_name FROM t2_items ORDER BY item_id", String.class)));
    assertEquals(1, db.queryLong("SELECT COUNT(*) FROM t2_items WHERE quantity IS NULL"));
    assertArrayEquals(new int[0], txs.inTransaction(tx -> tx.batch("DELETE FROM t2_items", List.of())));

    // a batch whose third row fails rolls back with the transaction: no row of it stays
    assertThrows(RuntimeException.class, () -> txs.useTransaction(tx -> tx.batch(
        "INSERT INTO t2_items(item_name, quantity) VALUES (?, ?)",
        List.of(new Object[] {"d", 4}, new Object[] {"e", 5}, new Object[] {null, 6}))));
    assertEquals(3, db.queryLong("SELECT COUNT(*) FROM t2_items"));
  }
}
