package dev.txkit.jdbc;

import static dev.txkit.jdbc.RtKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.CompletionStatus;
import dev.txkit.DeadlockException;
import dev.txkit.FailureKind;
import dev.txkit.Isolation;
import dev.txkit.Outcome;
import dev.txkit.RetryPolicy;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The statistics of real transactions on H2, PostgreSQL and MariaDB: committed, rolled back, retried, given up,
 * unknown and resolved outcomes, with the statements counted (wrappers and raw JDBC), the idle time a transaction
 * spends sleeping between statements, and the same figures in the JFR transaction event. Retries come from a real
 * write-skew conflict on PostgreSQL, and from {@link FlakyDataSource} (a deadlock reported for the first update,
 * a commit reply lost after the commit) on every database.
 */
class StatisticsIT {

  private static final ExecutorService POOL = Executors.newCachedThreadPool();
  private static final long SLEEP_MILLIS = 60;

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  static List<TestDatabases.TestDb> all() {
    return TestDatabases.all();
  }

  /** Keeps every call's statistics. */
  static final class StatsListener implements TransactionListener {
    final List<TransactionStats> stats = new CopyOnWriteArrayList<>();

    @Override
    public void onComplete(TransactionStats s) {
      stats.add(s);
    }

    TransactionStats only(String name) {
      List<TransactionStats> l = stats.stream().filter(s -> s.transactionName().equals(name))
          .collect(Collectors.toList());
      assertEquals(1, l.size(), l.toString());
      return l.get(0);
    }
  }

  private static void setUp(TestDatabases.TestDb db) {
    db.createTable("obs_stats", "id INT PRIMARY KEY, n INT NOT NULL");
    db.exec("INSERT INTO obs_stats VALUES (1, 0)", "INSERT INTO obs_stats VALUES (2, 0)");
  }

  private static SQLException deadlock(Database db) {
    switch (db) {
      case POSTGRESQL:
        return new SQLException("ERROR: deadlock detected", "40P01");
      case MARIADB:
        return new SQLException("Deadlock found when trying to get lock; try restarting transaction", "40001", 1213);
      default:
        return new SQLException("Deadlock detected", "40001", 40001);
    }
  }

  private static TxOptions named(String name) {
    return TxOptions.builder().name(name).build();
  }

  private static void sleep() {
    try {
      Thread.sleep(SLEEP_MILLIS); // the application's slow work inside the transaction: what idle time measures
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @MethodSource("all")
  void committedTransactionCountsItsStatementsAndItsIdleTime(TestDatabases.TestDb db) throws Exception {
    setUp(db);
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(db.dataSource()).listener(l).build();
    txs.useTransaction(TxOptions.builder().name("committed").isolation(Isolation.READ_COMMITTED).build(), tx -> {
      tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1);
      sleep();
      assertEquals(1, tx.queryOne("SELECT n FROM obs_stats WHERE id = ?", Integer.class, 1));
      try (PreparedStatement ps = tx.connection().prepareStatement("UPDATE obs_stats SET n = n + 1 WHERE id = 2")) {
        ps.executeUpdate(); // raw JDBC through the managed connection counts too
      }
    });
    TransactionStats s = l.only("committed");
    assertEquals(Outcome.COMMITTED, s.outcome());
    assertEquals(CompletionStatus.COMMITTED, s.status());
    assertEquals(Isolation.READ_COMMITTED, s.isolation());
    assertEquals(1, s.attempts());
    assertEquals(Map.of(), s.retriesByKind());
    assertTrue(s.measured());
    assertEquals(3, s.statements());
    long sleep = Duration.ofMillis(SLEEP_MILLIS).toNanos();
    assertTrue(s.idleNanos() >= sleep, "idle " + s.idleNanos() + " includes the " + SLEEP_MILLIS + " ms sleep");
    assertTrue(s.databaseNanos() > 0 && s.databaseNanos() + s.idleNanos() <= s.elapsedNanos(), s.toString());
    assertTrue(s.connectionWaitNanos() > 0, s.toString());
    assertEquals(List.of(1L, 1L), db.queryLongs("SELECT n FROM obs_stats ORDER BY id"));
  }

  @ParameterizedTest
  @MethodSource("all")
  void anExceptionOfTheCallbackIsARollback(TestDatabases.TestDb db) {
    setUp(db);
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(db.dataSource()).listener(l).build();
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(named("rolled-back"), tx -> {
      tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1);
      throw new IllegalStateException("out of stock");
    }));
    TransactionStats s = l.only("rolled-back");
    assertEquals(Outcome.ROLLED_BACK, s.outcome());
    assertEquals(1, s.attempts());
    assertEquals(1, s.statements());
    assertEquals(List.of(0L, 0L), db.queryLongs("SELECT n FROM obs_stats ORDER BY id"));
  }

  @ParameterizedTest
  @MethodSource("all")
  void aRetriedDeadlockIsCountedByKindAndItsAttemptsStatementsAreSummed(TestDatabases.TestDb db) {
    setUp(db);
    FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(flaky).listener(l).sleeper(d -> { }).build();
    flaky.failNextUpdate(deadlock(db.database()));
    txs.useTransaction(named("retried"), tx -> {
      tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1);
      tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 2);
    });
    TransactionStats s = l.only("retried");
    assertEquals(Outcome.COMMITTED, s.outcome());
    assertEquals(2, s.attempts());
    assertEquals(Map.of(FailureKind.DEADLOCK, 1), s.retriesByKind());
    assertEquals(1 + 2, s.statements(), "the failed update of attempt 1, both of attempt 2");
    assertEquals(List.of(1L, 1L), db.queryLongs("SELECT n FROM obs_stats ORDER BY id"));
  }

  @ParameterizedTest
  @MethodSource("all")
  void deadlocksUntilTheRetriesRunOutAreAGiveUp(TestDatabases.TestDb db) {
    setUp(db);
    FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(flaky).listener(l).sleeper(d -> { }).build();
    TxOptions twice = TxOptions.builder().name("gave-up").retry(RetryPolicy.builder().withMaxAttempts(2).build())
        .build();
    assertThrows(DeadlockException.class, () -> txs.useTransaction(twice, tx -> {
      flaky.failNextUpdate(deadlock(db.database()));
      tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1);
    }));
    TransactionStats s = l.only("gave-up");
    assertEquals(Outcome.GAVE_UP, s.outcome());
    assertEquals(CompletionStatus.ROLLED_BACK, s.status());
    assertEquals(2, s.attempts());
    assertEquals(Map.of(FailureKind.DEADLOCK, 1), s.retriesByKind());
    assertEquals(List.of(0L, 0L), db.queryLongs("SELECT n FROM obs_stats ORDER BY id"));
  }

  @ParameterizedTest
  @MethodSource("all")
  void aLostCommitReplyIsAnUnknownOutcome(TestDatabases.TestDb db) {
    setUp(db);
    FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(flaky).listener(l).build();
    flaky.loseNextCommitReply(new SQLException("An I/O error occurred while sending to the backend", "08006"));
    assertThrows(CommitOutcomeUnknownException.class, () -> txs.useTransaction(named("unknown"),
        tx -> tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1)));
    TransactionStats s = l.only("unknown");
    assertEquals(Outcome.UNKNOWN, s.outcome());
    assertEquals(CompletionStatus.UNKNOWN, s.status());
    assertEquals(1, s.attempts());
    assertEquals(List.of(1L, 0L), db.queryLongs("SELECT n FROM obs_stats ORDER BY id"), "it did commit");
  }

  @Test
  void postgresResolvesALostCommitReplyAsCommitted() {
    TestDatabases.TestDb db = TestDatabases.postgres();
    setUp(db);
    FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(flaky).listener(l).resolveCommitOutcome(true).build();
    flaky.loseNextCommitReply(new SQLException("An I/O error occurred while sending to the backend", "08006"));
    txs.useTransaction(named("resolved"), tx -> tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1));
    TransactionStats s = l.only("resolved");
    assertEquals(Outcome.RESOLVED, s.outcome());
    assertEquals(CompletionStatus.COMMITTED, s.status());
    assertEquals(List.of(1L, 0L), db.queryLongs("SELECT n FROM obs_stats ORDER BY id"));
  }

  @Test
  void postgresWriteSkewIsRetriedAsASerializationFailure() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("obs_skew", "k VARCHAR(10) PRIMARY KEY, v INT NOT NULL");
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(db.dataSource()).listener(l).build();
    TxOptions t1 = TxOptions.builder().isolation(Isolation.SERIALIZABLE).name("skew-1").build();
    TxOptions t2 = TxOptions.builder().isolation(Isolation.SERIALIZABLE).name("skew-2").build();
    CountDownLatch t1Read = new CountDownLatch(1);
    CountDownLatch t2Read = new CountDownLatch(1);
    CountDownLatch t1Committed = new CountDownLatch(1);
    Future<?> first = POOL.submit(() -> {
      txs.useTransaction(t1, tx -> {
        int sum = tx.queryOne("SELECT COALESCE(SUM(v), 0) FROM obs_skew", Integer.class);
        t1Read.countDown();
        await(t2Read);
        tx.update("INSERT INTO obs_skew(k, v) VALUES (?, ?)", "t1", sum + 1);
      });
      t1Committed.countDown();
      return null;
    });
    txs.useTransaction(t2, tx -> {
      int sum = tx.queryOne("SELECT COALESCE(SUM(v), 0) FROM obs_skew", Integer.class);
      if (tx.attempt() == 1) {
        t2Read.countDown();
        await(t1Read);
        await(t1Committed);
      }
      tx.update("INSERT INTO obs_skew(k, v) VALUES (?, ?)", "t2", sum + 1);
    });
    first.get(20, TimeUnit.SECONDS);
    TransactionStats s = l.only("skew-2");
    assertEquals(Outcome.COMMITTED, s.outcome());
    assertEquals(2, s.attempts());
    assertEquals(Map.of(FailureKind.SERIALIZATION_FAILURE, 1), s.retriesByKind());
    assertEquals(4, s.statements(), "a read and an insert in each attempt");
    assertEquals(Isolation.SERIALIZABLE, s.isolation());
    assertEquals(1, l.only("skew-1").attempts());
  }

  @ParameterizedTest
  @MethodSource("all")
  void manualTransactionsReportTheirStatistics(TestDatabases.TestDb db) {
    setUp(db);
    StatsListener l = new StatsListener();
    Transactions txs = Transactions.builder(db.dataSource()).listener(l).build();
    try (ManualTransaction tx = txs.begin(named("manual"))) {
      tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1);
      tx.commit();
    }
    TransactionStats s = l.only("manual");
    assertTrue(s.manual());
    assertEquals(Outcome.COMMITTED, s.outcome());
    assertEquals(1, s.statements());
  }

  @ParameterizedTest
  @MethodSource("all")
  void aJfrRecordingShowsTheTransactionAndItsRetryWithTheirFigures(TestDatabases.TestDb db) throws Exception {
    setUp(db);
    FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
    // no listener: the recording alone turns the measuring on
    Transactions txs = Transactions.builder(flaky).sleeper(d -> { }).build();
    Path file = Files.createTempFile("txkit-stats", ".jfr");
    try (Recording r = new Recording()) {
      r.enable("dev.txkit.Transaction").withThreshold(Duration.ZERO);
      r.enable("dev.txkit.Retry");
      r.start();
      flaky.failNextUpdate(deadlock(db.database()));
      txs.useTransaction(TxOptions.builder().name("jfr-" + db).readOnly(false).build(), tx -> {
        tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 1);
        tx.update("UPDATE obs_stats SET n = n + 1 WHERE id = ?", 2);
      });
      r.stop();
      r.dump(file);
    }
    List<RecordedEvent> all = RecordingFile.readAllEvents(file).stream()
        .filter(e -> ("jfr-" + db).equals(e.getString("name"))).collect(Collectors.toList());
    Files.delete(file);
    List<RecordedEvent> events = all.stream().filter(e -> e.getEventType().getName().equals("dev.txkit.Transaction"))
        .collect(Collectors.toList());
    assertEquals(1, events.size(), all.toString());
    RecordedEvent e = events.get(0);
    assertEquals("COMMITTED", e.getString("outcome"));
    assertEquals(1 + 2, e.getInt("statements"));
    assertEquals(2, e.getInt("attempts"));
    assertEquals("DEADLOCK=1", e.getString("retriedFailures"));
    List<RecordedEvent> retries = all.stream().filter(r -> r.getEventType().getName().equals("dev.txkit.Retry"))
        .collect(Collectors.toList());
    assertEquals(1, retries.size(), all.toString());
    SQLException sent = deadlock(db.database());
    assertEquals("DEADLOCK", retries.get(0).getString("kind"));
    assertEquals(sent.getSQLState(), retries.get(0).getString("sqlState"));
    assertEquals(sent.getErrorCode(), retries.get(0).getInt("vendorCode"));
    assertEquals(1, retries.get(0).getInt("attempt"));
    assertTrue(e.getLong("databaseTime") > 0);
    assertTrue(e.getLong("connectionWait") > 0);
    assertFalse(e.getBoolean("readOnly"));
  }
}
