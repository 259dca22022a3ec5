package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.Isolation;
import dev.txkit.RetryPolicy;
import dev.txkit.SerializationFailureException;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * Durations too long for nanosecond arithmetic (a timeout of {@code Long.MAX_VALUE} seconds, a backoff of
 * centuries, {@code ChronoUnit.FOREVER}) are accepted by the builders and mean "practically forever": they never
 * fail at call time, and never replace the real failure with an {@code ArithmeticException}.
 */
class DurationOverflowIT {

  private static final Duration CENTURIES = ChronoUnit.CENTURIES.getDuration().multipliedBy(5);

  @Test
  void hugeDurationsAreAcceptedAndWork() {
    TestDatabases.TestDb db = TestDatabases.h2();
    db.createTable("t8_dur", "id BIGINT PRIMARY KEY");
    Transactions txs = Transactions.create(db.dataSource());
    long id = 0;
    for (Duration huge : new Duration[] {Duration.ofSeconds(Long.MAX_VALUE), ChronoUnit.FOREVER.getDuration(),
        CENTURIES}) {
      RetryPolicy retry = RetryPolicy.builder().withMaxDuration(huge).withBackoff(huge, huge).build();
      long row = ++id;
      txs.useTransaction(TxOptions.builder().retry(retry).build(), tx -> tx.update("INSERT INTO t8_dur VALUES (?)",
          row));
      // a deadline that far away: the call computes it without overflow (statements under a deadline beyond
      // what a driver takes are LongDeadlineIT's, pending the engine rewrite)
      TxOptions forever = TxOptions.builder().timeout(huge).retry(retry).build();
      assertEquals("committed", txs.inTransaction(forever, tx -> "committed"));
      try (ManualTransaction tx = txs.begin(forever)) {
        tx.commit();
      }
    }
    assertEquals(3L, db.queryLong("SELECT COUNT(*) FROM t8_dur"));
  }

  @Test
  void aBackoffOfCenturiesDoesNotHideTheSerializationFailure() throws Exception {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.createTable("t8_dur_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO t8_dur_acct VALUES (1, 0)");
    RtKit.FakeClock clock = new RtKit.FakeClock();
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).sleeper(clock).ticker(clock).build();
    for (Duration backoff : new Duration[] {Duration.ofSeconds(Long.MAX_VALUE), CENTURIES}) {
      TxOptions options = TxOptions.builder().isolation(Isolation.REPEATABLE_READ).name("centuries")
          .retry(RetryPolicy.builder().withMaxAttempts(2).withBackoff(backoff, backoff).withJitter(false)
              .withMaxDuration(Duration.ofSeconds(1)).build())
          .build();
      try (Connection other = db.connect()) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> txs.useTransaction(options, tx -> {
          tx.queryOne("SELECT v FROM t8_dur_acct WHERE id = 1", Integer.class);
          RtKit.exec(other, "UPDATE t8_dur_acct SET v = v + 1 WHERE id = 1");
          tx.updateOne("UPDATE t8_dur_acct SET v = v + 100 WHERE id = 1");
        }));
        SerializationFailureException real = assertInstanceOf(SerializationFailureException.class, e,
            "the real failure, not " + e);
        assertEquals("40001", real.sqlState());
      }
    }
    assertEquals(2, rec.attempts("centuries"), "one attempt each: the backoff would outlast the maximum duration");
    assertEquals(2L, db.queryLong("SELECT v FROM t8_dur_acct WHERE id = 1"));
  }
}
