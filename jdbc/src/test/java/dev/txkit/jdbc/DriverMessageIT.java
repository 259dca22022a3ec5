package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.ConstraintViolationException;
import dev.txkit.DatabaseFailureException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * txkit's own messages copy only a bounded part of the driver's text (some drivers put the whole SQL and the
 * bound values in it); the driver's exception, with its full text, stays the cause.
 */
class DriverMessageIT {

  /** What a txkit message may hold: its own words plus a bounded excerpt of the driver's. */
  static final int MAX_MESSAGE = 1_000;

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aFailureCopiesABoundedPartOfTheDriversMessage(TestDb db) {
    db.createTable("t8_msg", "id INT PRIMARY KEY, note VARCHAR(5000)");
    Transactions txs = Transactions.create(db.dataSource());
    String secret = "s3cr3t-" + "x".repeat(4_000);
    txs.useTransaction(tx -> tx.update("INSERT INTO t8_msg VALUES (1, 'first')"));
    // a statement long enough that a driver quoting it (H2 does, with the bound values) makes a huge message
    String sql = "INSERT INTO t8_msg VALUES (?, ?) /* " + "padding ".repeat(2_000) + "*/";
    ConstraintViolationException e = assertThrows(ConstraintViolationException.class, () -> txs.useTransaction(
        tx -> tx.update(sql, 1, secret)));
    assertTrue(e.getMessage().length() <= MAX_MESSAGE, "message of " + e.getMessage().length() + " chars: "
        + e.getMessage().substring(0, Math.min(300, e.getMessage().length())));
    assertTrue(e.getMessage().contains("23") || e.getMessage().contains("SQLState"), e.getMessage());
    SQLException cause = e.sqlException();
    assertSame(cause, e.getCause());
    assertTrue(cause.getMessage().length() > 0);
    if (db.database() == Database.H2) {
      assertTrue(cause.getMessage().length() > MAX_MESSAGE, "H2 quotes the statement: the cause keeps it all");
      assertFalse(e.getMessage().contains("x".repeat(600)), "the bound value is not copied at length");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aHugeStatementThatFailsGivesAShortMessage(TestDb db) {
    Transactions txs = Transactions.create(db.dataSource());
    StringBuilder sql = new StringBuilder("SELECT * FROM t8_no_such_table WHERE id IN (0");
    for (int i = 1; i < 20_000; i++) {
      sql.append(", ").append(i);
    }
    sql.append(')');
    DatabaseFailureException e = assertThrows(DatabaseFailureException.class,
        () -> txs.inTransaction(tx -> tx.query(sql.toString(), Long.class)));
    assertTrue(e.getMessage().length() <= MAX_MESSAGE, "message of " + e.getMessage().length() + " chars");
    assertEquals(e.sqlException(), e.getCause());
  }
}
