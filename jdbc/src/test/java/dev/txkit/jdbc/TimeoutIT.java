package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Isolation;
import dev.txkit.QueryTimeoutException;
import dev.txkit.RetryPolicy;
import dev.txkit.SerializationFailureException;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** {@code TxOptions.timeout} is a deadline for the whole call, retries included, enforced on real databases. */
class TimeoutIT {

  static List<TestDatabases.TestDb> all() {
    return TestDatabases.all();
  }

  /** A statement that runs far longer than the timeout, per database. */
  private static String slowQuery(Database db) {
    switch (db) {
      case POSTGRESQL:
        return "SELECT COUNT(*) FROM (SELECT pg_sleep(5)) s";
      case MARIADB:
        return "SELECT SLEEP(3)";
      default:
        return "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 100000) a, SYSTEM_RANGE(1, 100000) b";
    }
  }

  @ParameterizedTest
  @MethodSource("all")
  void aStatementRunningPastTheDeadlineRollsBackWithTransactionTimeoutException(TestDatabases.TestDb db) {
    db.createTable("rt_timeout_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_timeout_acct VALUES (1, 0)");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    // PostgreSQL gets a server-side limit in milliseconds; the others only take whole seconds
    Duration timeout = db.database() == Database.POSTGRESQL ? Duration.ofMillis(300) : Duration.ofSeconds(1);
    TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
        () -> txs.useTransaction(TxOptions.builder().name("slow").timeout(timeout).build(), tx -> {
          tx.updateOne("UPDATE rt_timeout_acct SET v = v + 1 WHERE id = 1");
          tx.queryOne(slowQuery(db.database()), Long.class);
        }));
    assertInstanceOf(QueryTimeoutException.class, e.getCause(), "the cancelled statement is the cause");
    assertEquals(1, rec.attempts("slow"), "no retry after the deadline");
    assertEquals(0L, db.queryLong("SELECT v FROM rt_timeout_acct WHERE id = 1"), "rolled back");
  }

  private static void conflictingUpdate(Tx tx, Connection other) throws Exception {
    tx.queryOne("SELECT v FROM rt_timeout_acct WHERE id = 1", Integer.class);
    RtKit.exec(other, "UPDATE rt_timeout_acct SET v = v + 100 WHERE id = 1");
    tx.updateOne("UPDATE rt_timeout_acct SET v = v + 1 WHERE id = 1");
  }

  @Test
  void noRetryStartsWhenTheBackoffWouldEndAfterTheDeadline() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("rt_timeout_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_timeout_acct VALUES (1, 0)");
    RtKit.FakeClock clock = new RtKit.FakeClock();
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).sleeper(clock).ticker(clock).build();
    TxOptions options = TxOptions.builder().isolation(Isolation.REPEATABLE_READ).name("late")
        .timeout(Duration.ofSeconds(1))
        .retry(RetryPolicy.builder().withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(2)).withJitter(false)
            .build()).build();
    try (Connection other = db.connect()) {
      TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
          () -> txs.useTransaction(options, tx -> conflictingUpdate(tx, other)));
      SerializationFailureException cause = assertInstanceOf(SerializationFailureException.class, e.getCause());
      assertEquals("40001", cause.sqlState());
    }
    assertEquals(1, rec.attempts("late"));
    assertTrue(clock.sleeps.isEmpty(), "no backoff was even started: " + clock.sleeps);
    assertEquals(100L, db.queryLong("SELECT v FROM rt_timeout_acct WHERE id = 1"));
  }

  @Test
  void theDeadlineCoversAllAttempts() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("rt_timeout_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_timeout_acct VALUES (1, 0)");
    RtKit.FakeClock clock = new RtKit.FakeClock();
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).sleeper(clock).ticker(clock).build();
    TxOptions options = TxOptions.builder().isolation(Isolation.REPEATABLE_READ).name("budget")
        .timeout(Duration.ofSeconds(1))
        .retry(RetryPolicy.builder().withBackoff(Duration.ofMillis(100), Duration.ofMillis(100)).withJitter(false)
            .build()).build();
    try (Connection other = db.connect()) {
      // each attempt "works" 300 ms, then loses a real serialization conflict; backoff 100 ms:
      // attempt 1 fails at 300, 2 at 700, and attempt 3 reaches 1100 ms before its update
      TransactionTimeoutException e = assertThrows(TransactionTimeoutException.class,
          () -> txs.useTransaction(options, tx -> {
            clock.advance(Duration.ofMillis(300));
            conflictingUpdate(tx, other);
          }));
      assertEquals(2, e.getSuppressed().length, "the two serialization failures before: " + e);
      for (Throwable s : e.getSuppressed()) {
        assertInstanceOf(SerializationFailureException.class, s);
      }
    }
    assertEquals(3, rec.attempts("budget"));
    assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(100)), clock.sleeps);
    assertEquals(200L, db.queryLong("SELECT v FROM rt_timeout_acct WHERE id = 1"),
        "only the other session's two updates: attempt 3 was refused its first statement");
  }

  @Test
  void h2QueryTimeoutDoesNotOutliveTheTransaction() {
    // H2 keeps a statement's query timeout as a setting of the whole session (SET QUERY_TIMEOUT)
    TestDatabases.TestDb db = TestDatabases.h2();
    db.createTable("rt_timeout_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    String sessionTimeout =
        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_TIMEOUT'";
    try (HikariDataSource ds = db.newPool(1)) {
      Transactions txs = Transactions.create(ds);
      txs.useTransaction(TxOptions.builder().timeout(Duration.ofSeconds(30)).build(),
          tx -> tx.update("INSERT INTO rt_timeout_acct VALUES (1, 0)"));
      assertEquals("0", txs.inTransaction(tx -> tx.queryOne(sessionTimeout, String.class)),
          "the next transaction on the same connection has no timeout");
      assertThrows(TransactionTimeoutException.class,
          () -> txs.useTransaction(TxOptions.builder().timeout(Duration.ofSeconds(1)).build(),
              tx -> tx.queryOne(slowQuery(Database.H2), Long.class)));
      assertEquals("0", txs.inTransaction(tx -> tx.queryOne(sessionTimeout, String.class)));
    }
  }
}
