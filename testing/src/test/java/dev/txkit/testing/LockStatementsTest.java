package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which locks the lock-order checker reads from a statement and its parameters. */
class LockStatementsTest {

  private LockStatements s;

  @BeforeEach
  void setUp() {
    s = new LockStatements();
    s.primaryKey("accounts", List.of("id"));
    s.primaryKey("seats", List.of("flight", "seat"));
  }

  private LockStatements.Locks locks(String sql, Object... params) {
    return s.locks(sql, Arrays.asList(params), null);
  }

  @Test
  void updateAndDeleteByPrimaryKey() {
    assertEquals(List.of("accounts:2"), locks("UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance "
        + ">= ?", 10, 2L, 10).keys());
    assertEquals(List.of("accounts:7"), locks("delete from ACCOUNTS where id = ?", 7).keys());
    assertEquals(List.of("accounts:3"), locks("UPDATE accounts a SET owner = 'x ? y' WHERE a.id = 3").keys(),
        "a ? inside a literal is no placeholder; a literal key counts");
    assertEquals(List.of("accounts:5"), locks("UPDATE accounts SET owner = ? WHERE ? = id", "o", 5).keys());
  }

  @Test
  void lockRowsTakesItsKeysInKeyOrder() {
    LockStatements.Locks l = locks("SELECT id FROM accounts WHERE id IN (?, ?, ?) ORDER BY id FOR UPDATE", 9L, 2L,
        4L);
    assertEquals(List.of("accounts:2", "accounts:4", "accounts:9"), l.keys());
    assertNull(l.unrecognised());
  }

  @Test
  void compositeKeysNeedEveryColumn() {
    assertEquals(List.of("seats:1,12"), locks("UPDATE seats SET taken = 1 WHERE flight = ? AND seat = ?", 1, 12)
        .keys());
    LockStatements.Locks partial = locks("UPDATE seats SET taken = 1 WHERE flight = ?", 1);
    assertTrue(partial.keys().isEmpty());
    assertTrue(partial.unrecognised().contains("does not fix the primary key [flight, seat]"), partial.unrecognised());
  }

  @Test
  void whatItCannotUnderstandItSays() {
    assertTrue(locks("UPDATE accounts SET balance = 0 WHERE id = ? OR id = ?", 1, 2).unrecognised().contains("OR"));
    assertTrue(locks("UPDATE accounts SET balance = 0").unrecognised().contains("no WHERE"));
    assertTrue(locks("DELETE FROM accounts").unrecognised().contains("no WHERE"));
    assertTrue(locks("UPDATE accounts SET balance = 0 WHERE owner = ?", "x").unrecognised().contains("primary key"));
    assertTrue(locks("UPDATE others SET v = 0 WHERE id = ?", 1).unrecognised().contains("declare it"));
  }

  @Test
  void plainReadsAndInsertsLockNothingItFollows() {
    LockStatements.Locks read = locks("SELECT balance FROM accounts WHERE id = ?", 1);
    assertTrue(read.keys().isEmpty());
    assertNull(read.unrecognised());
    assertNull(locks("INSERT INTO accounts (id, balance) VALUES (?, ?)", 1, 2).unrecognised());
  }

  @Test
  void advisoryLocksOfLockKeys() {
    assertEquals(List.of("advisory lock:account:7"), locks("SELECT pg_advisory_xact_lock(hashtextextended(?, 0)) IS "
        + "NULL", "account:7").keys());
    assertEquals(List.of("user lock:account:7"), locks("SELECT GET_LOCK(?, ?)", "account:7", 50L).keys());
  }

  @Test
  void numbersOfEveryTypeAreTheSameKey() {
    assertEquals(locks("UPDATE accounts SET v = 1 WHERE id = ?", 1).keys(),
        locks("UPDATE accounts SET v = 1 WHERE id = ?", new java.math.BigDecimal("1.00")).keys());
    assertNotNull(locks("UPDATE accounts SET v = 1 WHERE id = ?", 1).keys());
  }
}
