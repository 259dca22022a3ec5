package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.CompletionStatus;
import dev.txkit.TransactionListener;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Completion hooks, on one H2 connection that is handed out only when it was given back. */
class HooksTest {

  private SingleConnectionDataSource ds;
  private final List<String> events = new ArrayList<>();
  private final List<Throwable> hookFailures = new ArrayList<>();
  private Transactions txs;

  @BeforeEach
  void setUp() throws SQLException {
    ds = new SingleConnectionDataSource(DriverManager.getConnection(TestDatabases.h2().url()));
    try (Statement st = ds.physical().createStatement()) {
      st.execute("CREATE TABLE t2_hooks (id BIGINT PRIMARY KEY)");
    }
    txs = Transactions.builder(ds).listener(new TransactionListener() {
      @Override
      public void onHookFailure(String transactionName, Throwable failure) {
        hookFailures.add(failure);
      }
    }).build();
  }

  @AfterEach
  void tearDown() throws SQLException {
    ds.close();
  }

  private long count() {
    return txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM t2_hooks", Long.class));
  }

  private void register(Tx tx) {
    tx.afterCommit(() -> events.add("afterCommit"));
    tx.afterRollback(() -> events.add("afterRollback"));
    tx.afterCompletion(status -> events.add("afterCompletion " + status));
  }

  @Test
  void afterCommitRunsAfterTheCommitAndAfterTheConnectionWasReleased() {
    List<Long> seen = new ArrayList<>();
    String result = txs.inTransaction(tx -> {
      tx.update("INSERT INTO t2_hooks VALUES (1)");
      tx.afterCommit(() -> {
        events.add("outstanding connections " + ds.outstanding());
        // a transaction of its own: possible only because the single connection was given back
        seen.add(count());
        txs.useTransaction(hookTx -> hookTx.update("INSERT INTO t2_hooks VALUES (2)"));
      });
      register(tx);
      assertEquals(List.of(), events, "no hook runs before the transaction ends");
      return "done";
    });
    assertEquals("done", result);
    assertEquals(List.of("outstanding connections 0", "afterCommit", "afterCompletion COMMITTED"), events);
    assertEquals(List.of(1L), seen, "the hook sees the committed row");
    assertEquals(2, count());
  }

  @Test
  void rollbackRunsAfterRollbackAndAfterCompletionButNotAfterCommit() {
    IllegalStateException boom = new IllegalStateException("boom");
    assertSame(boom, assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      tx.update("INSERT INTO t2_hooks VALUES (1)");
      register(tx);
      throw boom;
    })));
    assertEquals(List.of("afterRollback", "afterCompletion ROLLED_BACK"), events);
    assertEquals(0, count());
    assertEquals(0, ds.outstanding());
  }

  @Test
  void failingAfterCommitHookDoesNotFailTheCommittedTransaction() {
    IllegalStateException hookFailure = new IllegalStateException("mail server down");
    String result = txs.inTransaction(tx -> {
      tx.update("INSERT INTO t2_hooks VALUES (1)");
      tx.afterCommit(() -> {
        throw hookFailure;
      });
      register(tx);
      return "committed";
    });
    assertEquals("committed", result);
    assertEquals(1, count());
    assertEquals(List.of("afterCommit", "afterCompletion COMMITTED"), events, "the other hooks still run");
    assertEquals(List.of(hookFailure), hookFailures, "the failure is reported to listeners");
  }

  @Test
  void failingAfterRollbackHookDoesNotReplaceTheCallersException() {
    IllegalStateException boom = new IllegalStateException("boom");
    assertSame(boom, assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      tx.afterRollback(() -> {
        throw new IllegalStateException("hook");
      });
      tx.afterCompletion(status -> events.add("afterCompletion " + status));
      throw boom;
    })));
    assertEquals(List.of("afterCompletion ROLLED_BACK"), events);
    assertEquals(1, hookFailures.size());
  }

  @Test
  void hooksOfATransactionWithoutStatementsRun() {
    txs.useTransaction(this::register);
    assertEquals(List.of("afterCommit", "afterCompletion " + CompletionStatus.COMMITTED), events);
  }
}
