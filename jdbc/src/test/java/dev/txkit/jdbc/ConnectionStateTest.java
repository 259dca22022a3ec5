package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Isolation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.sql.Statement;
import javax.sql.DataSource;
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

  /** Hands out fresh H2 connections whose {@code method} throws while {@code failing} is set. */
  private static final class FailingConnections {
    final List<Connection> physical = new ArrayList<>();
    final List<Integer> aborted = new ArrayList<>();
    final String url;
    final String method;
    final Object argument;
    boolean failing;

    FailingConnections(String url, String method, Object argument) {
      this.url = url;
      this.method = method;
      this.argument = argument;
    }

    Connection connect() throws SQLException {
      Connection c = DriverManager.getConnection(url);
      physical.add(c);
      int index = physical.size() - 1;
      return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
          (proxy, m, args) -> {
            if (m.getName().equals("abort")) {
              aborted.add(index);
            }
            if (failing && m.getName().equals(method) && (argument == null || argument.equals(args[0]))) {
              throw new SQLException("injected failure of " + method, "08006");
            }
            try {
              return m.invoke(c, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    DataSource dataSource() {
      return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
          (proxy, m, args) -> {
            if (m.getName().equals("getConnection")) {
              return connect();
            }
            throw new UnsupportedOperationException(m.getName());
          });
    }
  }

  @Test
  void connectionWhoseStateCannotBeRestoredIsClosedNotReused() throws SQLException {
    String url = TestDatabases.h2().url();
    FailingConnections failing = new FailingConnections(url, "setAutoCommit", Boolean.TRUE);
    Transactions t = Transactions.create(failing.dataSource());
    t.useTransaction(tx -> tx.update("CREATE TABLE t2_cs2 (id BIGINT PRIMARY KEY)"));
    failing.failing = true;
    t.useTransaction(tx -> tx.update("INSERT INTO t2_cs2 VALUES (1)"));
    failing.failing = false;
    assertEquals(2, failing.physical.size());
    assertEquals(List.of(1), failing.aborted, "the connection left with autocommit off was aborted, not closed");
    assertTrue(failing.physical.get(1).isClosed());
    assertEquals(1L, (long) t.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM t2_cs2", Long.class)),
        "the commit stands");
  }

  @Test
  void connectionWhoseRollbackFailedIsClosedAndTheCallerSeesItsOwnException() throws SQLException {
    String url = TestDatabases.h2().url();
    FailingConnections failing = new FailingConnections(url, "rollback", null);
    Transactions t = Transactions.create(failing.dataSource());
    t.useTransaction(tx -> tx.update("CREATE TABLE t2_cs3 (id BIGINT PRIMARY KEY)"));
    failing.failing = true;
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException seen = assertThrows(IllegalStateException.class, () -> t.useTransaction(tx -> {
      tx.update("INSERT INTO t2_cs3 VALUES (1)");
      throw boom;
    }));
    failing.failing = false;
    assertSame(boom, seen);
    assertEquals("injected failure of rollback", seen.getSuppressed()[0].getMessage());
    assertEquals(List.of(1), failing.aborted, "a connection that may hold an open transaction is aborted");
    assertTrue(failing.physical.get(1).isClosed());
    assertEquals(0L, (long) t.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM t2_cs3", Long.class)),
        "closing the connection rolled the transaction back");
  }
}
