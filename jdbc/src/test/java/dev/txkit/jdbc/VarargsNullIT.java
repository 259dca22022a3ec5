package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tx.update(sql, null)} is the varargs trap: Java passes a null array, not an array holding one null. txkit
 * binds it as the one SQL NULL the caller meant.
 */
class VarargsNullIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  @SuppressWarnings("NullArgumentForNonNullParameter")
  void aLoneNullArgumentBindsOneSqlNull(TestDb db) {
    db.createTable("t8_null", "id BIGINT PRIMARY KEY, note VARCHAR(20)");
    Transactions txs = Transactions.create(db.dataSource());
    txs.useTransaction(tx -> {
      tx.update("INSERT INTO t8_null VALUES (1, 'x')");
      tx.update("INSERT INTO t8_null VALUES (2, ?)", null);
      tx.updateOne("UPDATE t8_null SET note = ? WHERE id = 1", null);
    });
    assertEquals(2L, db.queryLong("SELECT COUNT(*) FROM t8_null WHERE note IS NULL"));
    assertEquals(2L, (long) txs.inTransaction(tx -> tx.queryOne(
        "SELECT COUNT(*) FROM t8_null WHERE note IS NULL OR note = ?", Long.class, null)));
    assertEquals(Optional.empty(), txs.inTransaction(tx -> tx.queryOptional(
        "SELECT id FROM t8_null WHERE note = ?", Long.class, null)), "NULL = NULL matches nothing");
  }
}
