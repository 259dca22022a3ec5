package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CompletionStatus;
import dev.txkit.Propagation;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRollbackException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle semantics the engine decides in one place, on real databases: the manual form ends with its
 * commit or rollback and honours its timeout like the callback form; a leaked manual transaction is refused
 * instead of silently capturing later calls; a joined block's setRollbackOnly reaches the caller; nested blocks
 * honour their own read-only setting and timeout; nested REQUIRES_NEW retries are bounded; an Error from a hook
 * skips nothing; a throwing listener breaks no manual transaction, which reports its completion.
 */
class LifecycleIT {

  private static final String TABLE = "t2_lifecycle";
  private static final String INSERT = "INSERT INTO " + TABLE + " VALUES (?)";

  /** Time that moves only when the test moves it. */
  private static final class FakeTicker implements Ticker {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
      return now.get();
    }

    void advance(Duration d) {
      now.addAndGet(d.toNanos());
    }
  }

  private static List<Long> rows(TestDb db) {
    return db.queryLongs("SELECT id FROM " + TABLE + " ORDER BY id");
  }

  private static TestDb setUp(TestDb db) {
    db.createTable(TABLE, "id BIGINT PRIMARY KEY");
    db.createTable(TABLE + "_audit", "id BIGINT PRIMARY KEY");
    return db;
  }

  static List<TestDb> h2AndPostgres() {
    return List.of(TestDatabases.h2(), TestDatabases.postgres());
  }

  // ---- the manual form ---------------------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aManualTransactionIsOverAfterItsRollback(TestDb db) {
    setUp(db);
    Transactions txs = Transactions.create(db.dataSource());
    ManualTransaction tx = txs.begin(TxOptions.builder().name("manual").build());
    tx.update(INSERT, 1);
    tx.rollback();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> tx.update(INSERT, 2));
    assertTrue(e.getMessage().contains("after its transaction ended"), e.getMessage());
    assertThrows(IllegalStateException.class, tx::commit);
    assertThrows(IllegalStateException.class, tx::rollback);
    tx.close(); // does nothing now; before, it committed the statements run after rollback()
    assertEquals(List.of(), rows(db));
    // the thread is free: the next call is a transaction of its own, not a savepoint of the ended one
    txs.useTransaction(t -> t.update(INSERT, 3));
    assertEquals(List.of(3L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("h2AndPostgres")
  void theManualFormRollsBackAfterItsTimeoutLikeTheCallbackForm(TestDb db) {
    setUp(db);
    FakeTicker ticker = new FakeTicker();
    Transactions txs = Transactions.builder(db.dataSource()).ticker(ticker).build();
    TxOptions timed = TxOptions.builder().name("timed").timeout(Duration.ofMillis(500)).build();

    TransactionTimeoutException callback = assertThrows(TransactionTimeoutException.class,
        () -> txs.useTransaction(timed, tx -> {
          tx.update(INSERT, 1);
          ticker.advance(Duration.ofSeconds(1));
        }));
    TransactionTimeoutException manual;
    try (ManualTransaction tx = txs.begin(timed)) {
      tx.update(INSERT, 2);
      ticker.advance(Duration.ofSeconds(1));
      manual = assertThrows(TransactionTimeoutException.class, tx::commit);
    }
    assertTrue(callback.getMessage().contains("ran past its timeout of 500 ms"), callback.getMessage());
    assertTrue(manual.getMessage().contains("ran past its timeout of 500 ms"), manual.getMessage());
    assertEquals(List.of(), rows(db), "neither form commits after its deadline");
  }

  @ParameterizedTest
  @MethodSource("h2AndPostgres")
  void aLeakedManualTransactionIsRefusedInsteadOfCapturingLaterCalls(TestDb db) {
    setUp(db);
    FakeTicker ticker = new FakeTicker();
    Transactions txs = Transactions.builder(db.dataSource()).ticker(ticker)
        .leakDetectionThreshold(Duration.ofSeconds(30)).build();
    ManualTransaction leaked = txs.begin(TxOptions.builder().name("forgotten").build());
    leaked.update(INSERT, 1);
    // within the threshold, a call on the thread nests in the open manual transaction, as designed
    txs.useTransaction(tx -> tx.update(INSERT, 2));
    ticker.advance(Duration.ofSeconds(31));
    // e.g. the next task of a worker thread: it must not silently become a savepoint that never commits
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> txs.useTransaction(tx -> tx.update(INSERT, 3)));
    assertTrue(e.getMessage().contains("manual transaction 'forgotten'") && e.getMessage().contains("never closed"),
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> txs.begin());
    leaked.close();
    assertEquals(List.of(), rows(db));
    txs.useTransaction(tx -> tx.update(INSERT, 4));
    assertEquals(List.of(4L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("h2AndPostgres")
  void aThrowingListenerDoesNotBreakAManualTransactionWhichReportsItsCompletion(TestDb db) {
    setUp(db);
    List<String> events = new ArrayList<>();
    TransactionListener broken = new TransactionListener() {
      @Override
      public void onBegin(String name, int attempt) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onCommit(String name, int attempt) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void onComplete(TransactionStats stats) {
        throw new IllegalStateException("listener bug");
      }
    };
    TransactionListener recording = new TransactionListener() {
      @Override
      public void onCommit(String name, int attempt) {
        events.add("commit " + name);
      }

      @Override
      public void onRollback(String name, int attempt, Throwable cause) {
        events.add("rollback " + name);
      }

      @Override
      public void onComplete(TransactionStats stats) {
        events.add("complete " + stats.transactionName() + " " + stats.attempts() + " " + stats.status());
      }
    };
    Transactions txs = Transactions.builder(db.dataSource()).listener(broken).listener(recording).build();
    try (ManualTransaction tx = txs.begin(TxOptions.builder().name("manual").build())) {
      tx.update(INSERT, 1);
      tx.commit();
    }
    try (ManualTransaction tx = txs.begin(TxOptions.builder().name("closed").build())) {
      tx.update(INSERT, 2);
    }
    assertEquals(List.of(1L), rows(db));
    assertEquals(List.of("commit manual", "complete manual 1 COMMITTED", "rollback closed",
        "complete closed 1 ROLLED_BACK"), events);
  }

  // ---- nested blocks -----------------------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aJoinedBlocksRollbackInsideASavepointBlockReachesThatBlocksCaller(TestDb db) {
    setUp(db);
    Transactions txs = Transactions.create(db.dataSource());
    TxOptions join = TxOptions.builder().name("join").propagation(Propagation.JOIN).build();
    txs.useTransaction(tx -> {
      tx.update(INSERT, 1);
      UnexpectedRollbackException e = assertThrows(UnexpectedRollbackException.class,
          () -> txs.useTransaction(block -> {
            block.update(INSERT, 2);
            txs.useTransaction(join, joined -> joined.setRollbackOnly());
          }));
      assertTrue(e.getMessage().contains("rolled back to its savepoint"), e.getMessage());
      tx.update(INSERT, 3);
    });
    assertEquals(List.of(1L, 3L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aReadOnlyBlockNestedInAReadWriteTransactionCannotWrite(TestDb db) throws SQLException {
    setUp(db);
    Transactions txs = Transactions.create(db.dataSource());
    TxOptions readOnly = TxOptions.builder().name("report").readOnly(true).build();
    txs.useTransaction(tx -> {
      tx.update(INSERT, 1);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> txs.useTransaction(readOnly, block -> block.update(INSERT, 2)));
      assertTrue(e.getMessage().contains("'report' is read-only"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> txs.useTransaction(readOnly, block -> {
        try (var ps = block.connection().prepareStatement("/* raw */ insert into " + TABLE + " values (?)")) {
          ps.setLong(1, 3);
          ps.executeUpdate();
        }
      }), "raw JDBC is refused too");
      assertThrows(IllegalStateException.class, () -> txs.useTransaction(readOnly, block -> {
        try (var st = block.connection().createStatement()) {
          st.executeUpdate("DELETE FROM " + TABLE);
        }
      }));
      long n = txs.inTransaction(readOnly, block -> block.queryOne("SELECT COUNT(*) FROM " + TABLE, Long.class));
      assertEquals(1L, n, "reading is fine");
      tx.update(INSERT, 4); // the outer block writes as before
    });
    assertEquals(List.of(1L, 4L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("h2AndPostgres")
  void aNestedBlockHonoursItsOwnTimeout(TestDb db) {
    setUp(db);
    FakeTicker ticker = new FakeTicker();
    Transactions txs = Transactions.builder(db.dataSource()).ticker(ticker).build();
    TxOptions quick = TxOptions.builder().name("quick").timeout(Duration.ofMillis(100)).build();
    txs.useTransaction(TxOptions.builder().name("outer").timeout(Duration.ofMinutes(1)).build(), tx -> {
      tx.update(INSERT, 1);
      TransactionTimeoutException late = assertThrows(TransactionTimeoutException.class,
          () -> txs.useTransaction(quick, block -> {
            block.update(INSERT, 2);
            ticker.advance(Duration.ofMillis(150));
          }));
      assertTrue(late.getMessage().contains("'quick' ran past its timeout of 100 ms"), late.getMessage());
      TransactionTimeoutException refused = assertThrows(TransactionTimeoutException.class,
          () -> txs.useTransaction(quick, block -> {
            ticker.advance(Duration.ofMillis(150));
            block.update(INSERT, 3);
          }));
      assertTrue(refused.getMessage().contains("before this statement"), refused.getMessage());
      tx.update(INSERT, 4); // the outer transaction goes on: only the blocks were undone
    });
    assertEquals(List.of(1L, 4L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("h2AndPostgres")
  void retriesOfANestedRequiresNewShareTheOutermostCallsBudget(TestDb db) {
    setUp(db);
    Transactions txs = Transactions.builder(db.dataSource()).sleeper(d -> { }).build();
    TxOptions audit = TxOptions.builder().name("audit").propagation(Propagation.REQUIRES_NEW).build();
    AtomicInteger outer = new AtomicInteger();
    AtomicInteger inner = new AtomicInteger();
    SQLException e = assertThrows(SQLException.class, () -> txs.useTransaction(tx -> {
          outer.incrementAndGet();
          tx.update(INSERT, 1);
          txs.useTransaction(audit, a -> {
            inner.incrementAndGet();
            a.update("INSERT INTO " + TABLE + "_audit VALUES (?)", 1);
            // a conflict that never goes away
            throw new SQLException("could not serialize access due to concurrent update", "40001");
          });
        }));
    assertEquals("40001", e.getSQLState(), "the callback's own exception reaches the caller unchanged");
    assertEquals(9, e.getSuppressed().length, "the earlier failures are attached");
    // before: 10 inner attempts in each of 10 outer attempts (100); now one budget of 10 attempts (9 retries)
    assertEquals(1, outer.get());
    assertEquals(10, inner.get());
    assertEquals(List.of(), rows(db));
  }

  // ---- hooks -------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("h2AndPostgres")
  void anErrorFromAnAfterCommitHookSkipsNeitherTheOtherHooksNorTheListenersAndReachesTheCaller(TestDb db) {
    setUp(db);
    List<String> seen = new ArrayList<>();
    Transactions txs = Transactions.builder(db.dataSource()).listener(new TransactionListener() {
      @Override
      public void onHookFailure(String name, Throwable failure) {
        seen.add("hook failed: " + failure.getMessage());
      }

      @Override
      public void onComplete(TransactionStats stats) {
        seen.add("complete " + stats.status());
      }
    }).build();
    AssertionError error = new AssertionError("a hook's bug");
    AssertionError thrown = assertThrows(AssertionError.class, () -> txs.useTransaction(tx -> {
      tx.update(INSERT, 1);
      tx.afterCommit(() -> {
        throw error;
      });
      tx.afterCommit(() -> seen.add("second hook"));
      tx.afterCompletion(s -> seen.add("completion " + s));
    }));
    assertSame(error, thrown);
    assertEquals(List.of("hook failed: a hook's bug", "second hook", "completion COMMITTED",
        "complete " + CompletionStatus.COMMITTED), seen);
    assertEquals(List.of(1L), rows(db), "committed: the Error does not undo it");
  }

  @ParameterizedTest
  @MethodSource("h2AndPostgres")
  void theCurrentTransactionIsVisibleOnTheThread(TestDb db) throws SQLException {
    setUp(db);
    Transactions txs = Transactions.create(db.dataSource());
    assertTrue(dev.txkit.CurrentTransaction.current().isEmpty());
    long[] ids = new long[2];
    txs.useTransaction(TxOptions.builder().name("outer").build(), tx -> {
      dev.txkit.CurrentTransaction t = dev.txkit.CurrentTransaction.current().orElseThrow();
      assertEquals("outer", t.name());
      assertEquals(1, t.attempt());
      ids[0] = t.id();
      txs.useTransaction(TxOptions.builder().name("block").build(), block ->
          assertEquals("outer", dev.txkit.CurrentTransaction.current().orElseThrow().name(), "a savepoint block "
              + "belongs to its transaction"));
      txs.useTransaction(TxOptions.builder().name("audit").propagation(Propagation.REQUIRES_NEW).build(), a -> {
        dev.txkit.CurrentTransaction n = dev.txkit.CurrentTransaction.current().orElseThrow();
        assertEquals("audit", n.name());
        ids[1] = n.id();
      });
      assertEquals("outer", dev.txkit.CurrentTransaction.current().orElseThrow().name());
    });
    assertTrue(ids[0] != ids[1] && ids[0] > 0 && ids[1] > 0);
    assertTrue(dev.txkit.CurrentTransaction.current().isEmpty());
    try (ManualTransaction m = txs.begin(TxOptions.builder().name("manual").build())) {
      assertTrue(dev.txkit.CurrentTransaction.current().orElseThrow().isManual());
      m.commit();
      assertTrue(dev.txkit.CurrentTransaction.current().isEmpty(), "over after commit");
    }
    try (Connection unused = db.connect()) {
      assertTrue(dev.txkit.CurrentTransaction.current().isEmpty());
    }
  }
}
