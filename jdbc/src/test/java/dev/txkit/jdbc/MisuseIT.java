package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Taking the transaction away from txkit through the raw connection is refused, and loses nothing. ({@code close()}
 * is allowed and does nothing: see {@code BorrowedConnectionIT}.)
 */
class MisuseIT {

  @FunctionalInterface
  private interface ConnectionCall {
    void call(Connection c) throws SQLException;
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void managedConnectionRefusesTransactionControlAndTheWorkStillCommits(TestDb db) throws SQLException {
    db.createTable("t2_misuse", "id BIGINT PRIMARY KEY");
    Transactions txs = Transactions.create(db.dataSource());
    Map<String, ConnectionCall> refused = new LinkedHashMap<>();
    refused.put("commit", Connection::commit);
    refused.put("rollback", Connection::rollback);
    refused.put("setAutoCommit", c -> c.setAutoCommit(true));
    refused.put("setTransactionIsolation", c -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE));
    refused.put("setReadOnly", c -> c.setReadOnly(true));
    refused.put("abort", c -> c.abort(Runnable::run));
    txs.useTransaction(TxOptions.builder().name("import").build(), tx -> {
      tx.update("INSERT INTO t2_misuse VALUES (1)");
      Connection c = tx.connection();
      for (Map.Entry<String, ConnectionCall> e : refused.entrySet()) {
        IllegalStateException ex = assertThrows(IllegalStateException.class, () -> e.getValue().call(c),
            e.getKey());
        assertTrue(ex.getMessage().contains("Connection." + e.getKey() + "()")
            && ex.getMessage().contains("'import'"), ex.getMessage());
      }
      // the connection is still the transaction's: raw JDBC and wrappers go on in the same transaction
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t2_misuse VALUES (?)")) {
        ps.setLong(1, 2);
        ps.executeUpdate();
      }
      tx.update("INSERT INTO t2_misuse VALUES (3)");
      assertEquals(List.of(), db.queryLongs("SELECT id FROM t2_misuse"), "nothing committed early");
    });
    assertEquals(List.of(1L, 2L, 3L), db.queryLongs("SELECT id FROM t2_misuse ORDER BY id"));

    // and a refused call in a transaction that then fails still rolls everything back
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      tx.update("INSERT INTO t2_misuse VALUES (4)");
      assertThrows(IllegalStateException.class, () -> tx.connection().commit());
      throw new IllegalStateException("boom");
    }));
    assertEquals(List.of(1L, 2L, 3L), db.queryLongs("SELECT id FROM t2_misuse ORDER BY id"));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void databaseIsDetected(TestDb db) {
    Transactions txs = Transactions.create(db.dataSource());
    assertEquals(db.database(), txs.database());
    assertEquals(db.database(), txs.inTransaction(Tx::database));
  }
}
