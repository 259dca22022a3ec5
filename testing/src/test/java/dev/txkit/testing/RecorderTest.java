package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The recorder's checks pass on txkit's correct handling and fail on the mistakes they are for. */
class RecorderTest {

  private Fixture f;

  @BeforeEach
  void setUp() {
    f = Fixture.h2("fi_recorder");
  }

  @AfterEach
  void tearDown() {
    f.drop();
  }

  @Test
  void traceHoldsTheCallsInOrderWithTransactionAndAttempt() {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.attempt(1)).fail(Failures.h2().deadlock()));
    f.txs.useTransaction(tx -> tx.update(f.insert(), 1, 10));
    List<Recorder.Event> events = f.recorder.events();
    List<String> methods = events.stream().map(Recorder.Event::method).toList();
    assertEquals(List.of("DataSource.getConnection", "Connection.setAutoCommit(false)",
        "PreparedStatement.executeUpdate", "Connection.rollback", "Connection.setAutoCommit(true)",
        "Connection.close", "DataSource.getConnection", "Connection.setAutoCommit(false)",
        "PreparedStatement.executeUpdate", "Connection.commit", "Connection.setAutoCommit(true)",
        "Connection.close"), methods, f.recorder.dump());
    Recorder.Event failed = events.get(2);
    assertEquals(1, failed.attempt());
    assertEquals("transaction", failed.transaction());
    assertEquals(f.insert(), failed.sql());
    assertTrue(failed.failure() instanceof SQLException);
    assertEquals(2, events.get(8).attempt());
    assertTrue(events.get(3).caller().startsWith("dev.txkit.jdbc.internal."), events.get(3).caller());
    assertTrue(f.recorder.dump().contains("FAULT STATEMENT_BEFORE (not applied)"), f.recorder.dump());
  }

  @Test
  void rollbackByOtherCodeThanTxkitIsReported() throws SQLException {
    assertThrows(AssertionError.class, f.recorder::assertRollbackIssuedByLibrary, "no rollback at all");
    try (Connection c = f.ds.getConnection()) {
      c.setAutoCommit(false);
      c.rollback();
      c.setAutoCommit(true);
    }
    AssertionError e = assertThrows(AssertionError.class, f.recorder::assertRollbackIssuedByLibrary);
    assertTrue(e.getMessage().contains("RecorderTest"), e.getMessage());
  }

  @Test
  void statementAfterATransactionFailureIsReported() throws SQLException {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("(2,")).fail(Failures.h2().deadlock()));
    try (Connection c = f.ds.getConnection(); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.executeUpdate("INSERT INTO fi_recorder VALUES (1, 1)");
      try {
        st.executeUpdate("INSERT INTO fi_recorder VALUES (2, 2)");
      } catch (SQLException deadlock) {
        // the hand-written mistake: carry on after a deadlock; H2 has rolled back and starts a new transaction
      }
      st.executeUpdate("INSERT INTO fi_recorder VALUES (3, 3)");
      c.commit();
      c.setAutoCommit(true);
    }
    assertEquals(List.of(3L), f.ids(), "half the work committed: exactly what the check is for");
    AssertionError e = assertThrows(AssertionError.class, f.recorder::assertNoStatementAfterTransactionFailure);
    assertTrue(e.getMessage().contains("VALUES (3, 3)"), e.getMessage());
  }

  @Test
  void txkitRefusesStatementsAfterTheFailureSoTheCheckPasses() {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.sqlContains("VALUES"), Trigger.attempt(1))
        .nth(2).fail(Failures.h2().deadlock()));
    f.txs.useTransaction(tx -> {
      tx.update(f.insert(), 1, 10);
      try {
        tx.update(f.insert(), 2, 20);
      } catch (RuntimeException deadlock) {
        // caught by user code: txkit dooms the attempt anyway
      }
      tx.update(f.insert(), 3, 30);
    });
    assertEquals(List.of(1L, 2L, 3L), f.ids());
    f.recorder.assertAttempts(2);
    f.recorder.assertNoStatementAfterTransactionFailure();
  }

  @Test
  void connectionStateNotRestoredIsReported() throws SQLException {
    try (Connection c = f.ds.getConnection()) {
      c.setAutoCommit(false);
      c.commit();
    }
    AssertionError e = assertThrows(AssertionError.class, f.recorder::assertConnectionStateRestored);
    assertTrue(e.getMessage().contains("autoCommit=false"), e.getMessage());
  }

  @Test
  void leakedStatementIsReported() throws SQLException {
    Connection c = f.ds.getConnection();
    PreparedStatement ps = c.prepareStatement("SELECT 1");
    ps.executeQuery();
    AssertionError e = assertThrows(AssertionError.class, f.recorder::assertAllClosed);
    assertTrue(e.getMessage().contains("prepared statement on connection 1 [SELECT 1]"), e.getMessage());
    assertTrue(e.getMessage().contains("result set"), e.getMessage());
    ps.close();
    assertThrows(AssertionError.class, f.recorder::assertAllClosed, "the connection is still open");
    c.close();
    f.recorder.assertAllClosed();
  }

  @Test
  void snapshotShowsARowDiff() {
    f.db.exec("INSERT INTO fi_recorder VALUES (1, 10), (2, 20)");
    TableSnapshot before = TableSnapshot.of(f.ds, "fi_recorder", "id");
    assertEquals(2, before.size());
    before.assertUnchanged();
    f.db.exec("UPDATE fi_recorder SET v = 11 WHERE id = 1", "DELETE FROM fi_recorder WHERE id = 2",
        "INSERT INTO fi_recorder VALUES (3, 30)");
    AssertionError e = assertThrows(AssertionError.class,
        () -> TableSnapshot.of(f.ds, "fi_recorder", "id").assertUnchangedSince(before));
    assertEquals("Table fi_recorder changed:\n~ id=1: v 10 -> 11\n- {id=2, v=20}\n+ {id=3, v=30}\n", e.getMessage());
  }

  @Test
  void failedTransactionLeavesTheTableUnchanged() {
    f.db.exec("INSERT INTO fi_recorder VALUES (1, 10)");
    TableSnapshot before = TableSnapshot.of(f.ds, "fi_recorder", "id");
    f.faults.inject(Fault.at(Point.STATEMENT_AFTER).when(Trigger.kind(StatementKind.INSERT))
        .fail(Failures.h2().uniqueViolation()));
    assertThrows(RuntimeException.class, () -> f.txs.useTransaction(tx -> {
      tx.update("UPDATE fi_recorder SET v = v - 1 WHERE id = 1");
      tx.update(f.insert(), 2, 20);
    }));
    before.assertUnchanged();
    f.recorder.assertRollbackIssuedByLibrary();
    f.recorder.assertAllClosed();
    f.recorder.assertConnectionStateRestored();
  }
}
