package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A long deadline works on every database: each statement gets at most what its driver and server can take.
 *
 * <p>Measured (issue 8): PostgreSQL's {@code statement_timeout} takes at most 2,147,483,647 ms (24.8 days; above,
 * 22023 "Value exceeds integer range"); H2's {@code setQueryTimeout} at most 2,147,483 s (it multiplies by 1,000
 * into an int: 90008 "Invalid value -2147483296 for parameter QUERY_TIMEOUT"), and {@code SET QUERY_TIMEOUT} at
 * most 2,147,483,647 ms; MariaDB's {@code setQueryTimeout} takes any int, but the server truncates
 * {@code max_statement_time} to 31,536,000 s (one year) with warning 1292. On main, a timeout of 25 days fails
 * every statement on H2 and PostgreSQL, and 366 days every statement on PostgreSQL; {@code ChronoUnit.FOREVER}
 * (taken as 100 years by {@code TxOptions}) fails on H2 and PostgreSQL. Each dialect now sends only what its driver takes
 * ({@code Dialect.maxStatementTimeoutMillis}).
 */
class LongDeadlineIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void longDeadlinesWork(TestDb db) {
    db.createTable("t8_deadline", "id BIGINT PRIMARY KEY");
    Transactions txs = Transactions.create(db.dataSource());
    long id = 0;
    for (Duration timeout : new Duration[] {Duration.ofDays(24), Duration.ofDays(25), Duration.ofDays(366),
        Duration.ofDays(3_650), ChronoUnit.FOREVER.getDuration()}) {
      long row = ++id;
      txs.useTransaction(TxOptions.builder().timeout(timeout).build(), tx -> {
        tx.update("INSERT INTO t8_deadline VALUES (?)", row);
        assertEquals(row, (long) tx.queryOne("SELECT COUNT(*) FROM t8_deadline", Long.class));
      });
    }
    assertEquals(5L, db.queryLong("SELECT COUNT(*) FROM t8_deadline"));
  }
}
