package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Isolation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** txkit changes only the connection settings that differ from what the transaction needs (H2, counted calls). */
class ConnectionStateTest {

  private SingleConnectionDataSource ds;
  private Transactions txs;

  @BeforeEach
  void setUp() throws SQLException {
    Connection c = DriverManager.getConnection(TestDatabases.h2().url());
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t2_cs (id BIGINT PRIMARY KEY)");
    }
    ds = new SingleConnectionDataSource(c);
    txs = Transactions.create(ds);
  }

  @AfterEach
  void tearDown() throws SQLException {
    try (Statement st = ds.physical().createStatement()) {
      st.execute("DROP ALL OBJECTS");
    }
    ds.close();
  }

  @Test
  void defaultIsolationNeverTouchesIsolationOrReadOnlyAndLearnsTheDefaultOnce() {
    for (int i = 1; i <= 3; i++) {
      long id = i;
      txs.useTransaction(tx -> tx.update("INSERT INTO t2_cs VALUES (?)", id));
    }
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      tx.update("INSERT INTO t2_cs VALUES (4)");
      throw new IllegalStateException("boom");
    }));
    assertEquals(0, ds.calls("setTransactionIsolation"));
    assertEquals(0, ds.calls("setReadOnly"));
    assertTrue(ds.calls("getTransactionIsolation") <= 1, "the default isolation is learned once, was asked "
        + ds.calls("getTransactionIsolation") + " times");
    assertEquals(8, ds.calls("setAutoCommit"), "autocommit off and back on, per transaction");
    assertEquals(3, ds.calls("commit"));
    assertEquals(1, ds.calls("rollback"));
    assertEquals(3, (long) txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM t2_cs", Long.class)));
  }

  @Test
  void isolationEqualToTheConnectionsIsNotSetAgain() {
    // H2's default is READ COMMITTED
    txs.useTransaction(Isolation.READ_COMMITTED, tx -> tx.update("INSERT INTO t2_cs VALUES (1)"));
    assertEquals(0, ds.calls("setTransactionIsolation"));
  }

  @Test
  void otherIsolationIsSetOnceAndRestoredOnceAfterSuccessAndFailure() throws SQLException {
    txs.useTransaction(Isolation.SERIALIZABLE, tx -> tx.update("INSERT INTO t2_cs VALUES (1)"));
    assertEquals(2, ds.calls("setTransactionIsolation"));
    assertEquals(Connection.TRANSACTION_READ_COMMITTED, ds.physical().getTransactionIsolation());
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(Isolation.SERIALIZABLE, tx -> {
      throw new IllegalStateException("boom");
    }));
    assertEquals(4, ds.calls("setTransactionIsolation"));
    assertEquals(Connection.TRANSACTION_READ_COMMITTED, ds.physical().getTransactionIsolation());
    assertTrue(ds.physical().getAutoCommit());
  }

  @Test
  void connectionWithAutocommitAlreadyOffIsLeftOff() throws SQLException {
    ds.physical().setAutoCommit(false);
    txs.useTransaction(tx -> tx.update("INSERT INTO t2_cs VALUES (1)"));
    assertEquals(0, ds.calls("setAutoCommit"));
    assertFalse(ds.physical().getAutoCommit());
    ds.physical().rollback();
    // the transaction's commit is not undone by a later rollback of the connection
    assertEquals(1L, (long) txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM t2_cs", Long.class)));
  }
}
