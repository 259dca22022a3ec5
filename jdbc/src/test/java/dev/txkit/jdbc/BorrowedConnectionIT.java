package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code try (Connection c = tx.connection()) { ... }}, the everyday JDBC idiom, is harmless: the managed
 * connection is borrowed, so closing it does nothing, and the transaction goes on and commits.
 */
class BorrowedConnectionIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void closingTheManagedConnectionIsANoOpAndTheTransactionCommits(TestDb db) throws Exception {
    db.createTable("t8_borrowed", "id BIGINT PRIMARY KEY");
    Transactions txs = Transactions.create(db.dataSource());
    txs.useTransaction(tx -> {
      try (Connection c = tx.connection(); PreparedStatement ps = c.prepareStatement(
          "INSERT INTO t8_borrowed VALUES (?)")) {
        ps.setLong(1, 1);
        ps.executeUpdate();
      }
      Connection again = tx.connection();
      assertFalse(again.isClosed(), "the borrowed connection stays open for the transaction");
      try (PreparedStatement ps = again.prepareStatement("INSERT INTO t8_borrowed VALUES (?)")) {
        ps.setLong(1, 2);
        ps.executeUpdate();
      }
      again.close();
      again.close();
      tx.update("INSERT INTO t8_borrowed VALUES (3)");
      assertEquals(List.of(), db.queryLongs("SELECT id FROM t8_borrowed"), "closing committed nothing");
      // commit and rollback stay refused
      assertThrows(IllegalStateException.class, again::commit);
      assertThrows(IllegalStateException.class, again::rollback);
    });
    assertEquals(List.of(1L, 2L, 3L), db.queryLongs("SELECT id FROM t8_borrowed ORDER BY id"));

    // and a transaction that fails after closing the borrowed connection still rolls everything back
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      try (Connection c = tx.connection(); PreparedStatement ps = c.prepareStatement(
          "INSERT INTO t8_borrowed VALUES (4)")) {
        ps.executeUpdate();
      }
      throw new IllegalStateException("boom");
    }));
    assertEquals(List.of(1L, 2L, 3L), db.queryLongs("SELECT id FROM t8_borrowed ORDER BY id"));
  }
}
