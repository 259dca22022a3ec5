package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code insertAndReturnKey} returns the generated key, not the table's first column (pgjdbc answers
 * {@code RETURN_GENERATED_KEYS} with the whole inserted row; on main, a table whose first column is a tenant id
 * gave the tenant id).
 */
class GeneratedKeysIT {

  private static Transactions setUp(TestDb db) {
    db.createTable("t8_keys", "tenant BIGINT NOT NULL, id " + db.identity() + ", name VARCHAR(20)");
    return Transactions.create(db.dataSource());
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void theGeneratedKeyIsReturnedWhereverItsColumnIs(TestDb db) {
    Transactions txs = setUp(db);
    long first = txs.inTransaction(tx -> tx.insertAndReturnKey("INSERT INTO t8_keys(tenant, name) VALUES (?, ?)",
        42L, "a"));
    long second = txs.inTransaction(tx -> tx.insertAndReturnKey("INSERT INTO t8_keys(tenant, name) VALUES (?, ?)",
        42L, "b"));
    assertEquals(List.of(first, second), db.queryLongs("SELECT id FROM t8_keys ORDER BY id"));
    assertNotEquals(42L, first);
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void theKeyColumnCanBeNamed(TestDb db) {
    Transactions txs = setUp(db);
    long id = txs.inTransaction(tx -> tx.insertAndReturnKey(Long.class, "id",
        "INSERT INTO t8_keys(tenant, name) VALUES (?, ?)", 7L, "named"));
    assertEquals(id, db.queryLong("SELECT id FROM t8_keys WHERE name = 'named'"));
    // the name as an unquoted identifier would be written, in any case
    long upper = txs.inTransaction(tx -> tx.insertAndReturnKey(Long.class, "ID",
        "INSERT INTO t8_keys(tenant, name) VALUES (?, ?)", 7L, "upper"));
    assertEquals(upper, db.queryLong("SELECT id FROM t8_keys WHERE name = 'upper'"));
    // a String parameter (and nulls after it) are parameters, never taken for a key column and its type
    db.createTable("t8_keys_name", "id " + db.identity() + ", name VARCHAR(20), note VARCHAR(20)");
    long k = txs.inTransaction(tx -> tx.insertAndReturnKey("INSERT INTO t8_keys_name(name) VALUES (?)", "apple"));
    assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM t8_keys_name WHERE name = 'apple' AND id = ?", k));
    long n = txs.inTransaction(tx -> tx.insertAndReturnKey("INSERT INTO t8_keys_name(name, note) VALUES (?, ?)",
        "pear", null));
    assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM t8_keys_name WHERE name = 'pear' AND note IS NULL "
        + "AND id = ?", n));
  }

  @Test
  void postgresKeysTheDriverCannotTellApartNeedTheirColumnNamed() {
    TestDb db = TestDatabases.postgres();
    db.createTable("t8_keys_uuid", "tenant BIGINT NOT NULL, code UUID NOT NULL DEFAULT gen_random_uuid(), "
        + "name VARCHAR(20)");
    Transactions txs = Transactions.create(db.dataSource());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> txs.inTransaction(
        tx -> tx.insertAndReturnKey("INSERT INTO t8_keys_uuid(tenant, name) VALUES (?, ?)", 1L, "x")));
    assertTrue(e.getMessage().contains("tenant") && e.getMessage().contains("code")
        && e.getMessage().contains("insertAndReturnKey(Long.class, \"id\", sql"), e.getMessage());
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM t8_keys_uuid"), "the insert was rolled back");
    UUID code = txs.inTransaction(tx -> tx.insertAndReturnKey(UUID.class, "code",
        "INSERT INTO t8_keys_uuid(tenant, name) VALUES (?, ?)", 1L, "y"));
    assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM t8_keys_uuid WHERE code = ?", code));
  }
}
