package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tx.batch} with rows of different lengths is refused before any row runs: a short row would otherwise
 * silently reuse the previous row's values (a JDBC driver keeps parameters bound between {@code addBatch} calls).
 */
class BatchRowsIT {

  private static Transactions setUp(TestDb db) {
    db.createTable("t8_batch", "id BIGINT PRIMARY KEY, name VARCHAR(20)");
    return Transactions.create(db.dataSource());
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aShortRowIsAnErrorBeforeAnythingRuns(TestDb db) {
    Transactions txs = setUp(db);
    txs.useTransaction(tx -> {
      tx.update("INSERT INTO t8_batch VALUES (?, ?)", 100, "before");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tx.batch(
          "INSERT INTO t8_batch VALUES (?, ?)", List.of(new Object[] {1, "first"}, new Object[] {2})));
      assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("1 value")
          && e.getMessage().contains("2"), e.getMessage());
      // the refused batch left nothing behind: the transaction goes on and commits only its own row
    });
    assertEquals(List.of(100L), db.queryLongs("SELECT id FROM t8_batch ORDER BY id"));
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM t8_batch WHERE name = 'first'"),
        "no row took the previous row's values");
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aLongRowIsAnErrorToo(TestDb db) {
    Transactions txs = setUp(db);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> txs.useTransaction(
        tx -> tx.batch("INSERT INTO t8_batch VALUES (?, ?)",
            List.of(new Object[] {1, "a"}, new Object[] {2, "b"}, new Object[] {3, "c", "surplus"}))));
    assertTrue(e.getMessage().contains("row 3") && e.getMessage().contains("3 values"), e.getMessage());
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM t8_batch"));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void rowsThatAllMissAParameterFailOnceAndInsertNothing(TestDb db) {
    Transactions txs = setUp(db);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions counted = Transactions.builder(db.dataSource()).listener(rec).build();
    // every row is one value short: no row may be inserted with a NULL or a stale value, and the error is not
    // taken for a lost connection (MariaDB Connector/J reports an unset parameter as a transient connection error)
    RuntimeException e = assertThrows(RuntimeException.class, () -> counted.useTransaction(
        dev.txkit.TxOptions.builder().name("short").build(),
        tx -> tx.batch("INSERT INTO t8_batch VALUES (?, ?)", List.of(new Object[] {1}, new Object[] {2}))));
    assertEquals(1, rec.attempts("short"), "not retried: " + e);
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM t8_batch"));
    assertEquals(List.of(), txs.inTransaction(tx -> tx.query("SELECT id FROM t8_batch", Long.class)));
  }
}
