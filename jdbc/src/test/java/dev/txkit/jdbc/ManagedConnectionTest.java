package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Propagation;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The raw connection of {@code tx.connection()} on H2: what would take the transaction away from txkit is refused
 * (and the transaction goes on), closing it does nothing, the rest works. Written for the mutants the mutation run (profile
 * {@code mutation}) found alive in {@code ManagedConnection}.
 */
class ManagedConnectionTest {

  private final TestDatabases.TestDb db = TestDatabases.h2();
  private Transactions txs;

  @BeforeEach
  void setUp() {
    db.createTable("t2_managed", "id BIGINT PRIMARY KEY");
    txs = Transactions.create(db.dataSource());
  }

  @AfterEach
  void tearDown() {
    db.exec("DROP TABLE t2_managed");
  }

  private static void assertRefused(String method, Executable call) {
    IllegalStateException e = assertThrows(IllegalStateException.class, call, method);
    assertTrue(e.getMessage().contains("Connection." + method + "()"), e.getMessage());
  }

  private static void insert(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t2_managed (id) VALUES (?)")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  @Test
  void transactionControlIsRefusedAndTheTransactionStillCommits() throws SQLException {
    txs.useTransaction(tx -> {
      Connection c = tx.connection();
      insert(c, 1);
      assertRefused("commit", c::commit);
      assertRefused("rollback", c::rollback);
      assertRefused("setAutoCommit", () -> c.setAutoCommit(true));
      assertRefused("setTransactionIsolation", () -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE));
      assertRefused("setReadOnly", () -> c.setReadOnly(true));
      assertRefused("abort", () -> c.abort(Runnable::run));
      c.close(); // borrowed: closing it does nothing, the transaction goes on
      insert(c, 2);
    });
    assertEquals(List.of(1L, 2L), db.queryLongs("SELECT id FROM t2_managed ORDER BY id"));
  }

  @Test
  void savepointsOfItsOwnWork() throws SQLException {
    txs.useTransaction(tx -> {
      Connection c = tx.connection();
      insert(c, 1);
      Savepoint sp = c.setSavepoint();
      insert(c, 2);
      c.rollback(sp);
      insert(c, 3);
    });
    assertEquals(List.of(1L, 3L), db.queryLongs("SELECT id FROM t2_managed ORDER BY id"));
  }

  @Test
  void aReadOnlyBlockRefusesToPrepareAWrite() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx ->
        txs.useTransaction(TxOptions.builder().name("report").readOnly(true).propagation(Propagation.NESTED).build(),
            inner -> inner.connection().prepareStatement("INSERT INTO t2_managed (id) VALUES (9)"))));
    assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    assertEquals(List.of(), db.queryLongs("SELECT id FROM t2_managed"));
  }

  @Test
  void itIsClosedOnceTheTransactionEnded() throws SQLException {
    Connection[] kept = new Connection[1];
    txs.useTransaction(tx -> {
      kept[0] = tx.connection();
      assertEquals(false, kept[0].isClosed());
    });
    assertTrue(kept[0].isClosed());
    assertThrows(IllegalStateException.class, () -> kept[0].prepareStatement("SELECT 1"));
  }
}
