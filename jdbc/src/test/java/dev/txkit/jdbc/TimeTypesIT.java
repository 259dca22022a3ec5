package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code java.time} values and nulls bound by txkit and read back by its mappers are equal to what was written,
 * on every database, also when the JVM runs in a zone with daylight saving time (the values sit in New York's
 * spring-forward gap and fall-back overlap, where conversions through {@code java.sql.Timestamp} in the JVM's
 * zone go wrong).
 */
class TimeTypesIT {

  record Times(int id, LocalDate someDate, LocalDateTime localStamp, LocalTime someTime, OffsetDateTime zonedStamp,
      Instant happenedAt) {}

  private static final LocalDate DATE = LocalDate.of(2024, 2, 29);
  /** Does not exist in New York: clocks jumped from 02:00 to 03:00. */
  private static final LocalDateTime LOCAL_STAMP = LocalDateTime.of(2024, 3, 10, 2, 30, 15, 123_456_000);
  private static final LocalTime TIME = LocalTime.of(23, 59, 58, 999_999_000);
  private static final OffsetDateTime ZONED_STAMP =
      OffsetDateTime.of(2024, 7, 1, 12, 0, 0, 654_321_000, ZoneOffset.ofHours(5));
  /** 01:30 EDT, the first of the two 01:30s of that night in New York. */
  private static final Instant INSTANT = Instant.parse("2024-11-03T05:30:00.654321Z");

  static Stream<Arguments> databasesAndZones() {
    List<Arguments> out = new ArrayList<>();
    for (String zone : List.of("UTC", "America/New_York")) {
      for (TestDb db : TestDatabases.all()) {
        out.add(Arguments.of(db, zone));
      }
    }
    return out.stream();
  }

  private static String columns(Database db) {
    switch (db) {
      case POSTGRESQL:
        return "id INT PRIMARY KEY, some_date DATE, local_stamp TIMESTAMP(6), some_time TIME(6), "
            + "zoned_stamp TIMESTAMPTZ(6), happened_at TIMESTAMPTZ(6)";
      case MARIADB:
        return "id INT PRIMARY KEY, some_date DATE, local_stamp DATETIME(6), some_time TIME(6), "
            + "zoned_stamp DATETIME(6), happened_at TIMESTAMP(6) NULL";
      default:
        return "id INT PRIMARY KEY, some_date DATE, local_stamp TIMESTAMP(6), some_time TIME(6), "
            + "zoned_stamp TIMESTAMP(6) WITH TIME ZONE, happened_at TIMESTAMP(6) WITH TIME ZONE";
    }
  }

  @ParameterizedTest
  @MethodSource("databasesAndZones")
  void javaTimeValuesAndNullsRoundTrip(TestDb db, String zone) throws SQLException {
    db.createTable("t2_times", columns(db.database()));
    TimeZone saved = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone(zone));
    // a connection opened in that zone, so that drivers that read the JVM's zone at connect time see it
    try (SingleConnectionDataSource ds = new SingleConnectionDataSource(db.connect())) {
      if (db.database() == Database.MARIADB) {
        // txkit stores instants as UTC wall-clock times; a TIMESTAMP column converts from the session's zone
        try (Statement st = ds.physical().createStatement()) {
          st.execute("SET time_zone = '+00:00'");
        }
      }
      Transactions txs = Transactions.create(ds);
      txs.useTransaction(tx -> {
        tx.update("INSERT INTO t2_times VALUES (?, ?, ?, ?, ?, ?)", 1, DATE, LOCAL_STAMP, TIME, ZONED_STAMP,
            INSTANT);
        tx.update("INSERT INTO t2_times VALUES (?, ?, ?, ?, ?, ?)", 2, null, null, null, null, null);
      });

      Times row = txs.inTransaction(tx -> tx.queryOne("SELECT * FROM t2_times WHERE id = ?", Times.class, 1));
      assertEquals(DATE, row.someDate());
      assertEquals(LOCAL_STAMP, row.localStamp());
      assertEquals(TIME, row.someTime());
      assertEquals(ZONED_STAMP.toInstant(), row.zonedStamp().toInstant(), "the same instant: " + row.zonedStamp());
      assertEquals(INSTANT, row.happenedAt());

      Times nulls = txs.inTransaction(tx -> tx.queryOne("SELECT * FROM t2_times WHERE id = ?", Times.class, 2));
      assertEquals(new Times(2, null, null, null, null, null), nulls);

      // single columns, and the values as parameters of a WHERE clause find the row
      assertEquals(LOCAL_STAMP, txs.inTransaction(tx -> tx.queryOne(
          "SELECT local_stamp FROM t2_times WHERE local_stamp = ?", LocalDateTime.class, LOCAL_STAMP)));
      assertEquals(DATE, txs.inTransaction(tx -> tx.queryOne(
          "SELECT some_date FROM t2_times WHERE some_date = ?", LocalDate.class, DATE)));
      assertEquals(TIME, txs.inTransaction(tx -> tx.queryOne(
          "SELECT some_time FROM t2_times WHERE some_time = ?", LocalTime.class, TIME)));
      assertEquals(INSTANT, txs.inTransaction(tx -> tx.queryOne(
          "SELECT happened_at FROM t2_times WHERE happened_at = ?", Instant.class, INSTANT)));
      OffsetDateTime odt = txs.inTransaction(tx -> tx.queryOne(
          "SELECT zoned_stamp FROM t2_times WHERE zoned_stamp = ?", OffsetDateTime.class, ZONED_STAMP));
      assertTrue(ZONED_STAMP.isEqual(odt), odt.toString());

      // what the database itself stored is the right point in time, not just something txkit reads back
      String epochSql = db.database() == Database.MARIADB ? "SELECT UNIX_TIMESTAMP(happened_at) FROM t2_times "
          + "WHERE id = 1" : "SELECT EXTRACT(EPOCH FROM happened_at) FROM t2_times WHERE id = 1";
      double epoch = txs.inTransaction(tx -> tx.queryOne(epochSql, Double.class));
      assertEquals(INSTANT.getEpochSecond() + INSTANT.getNano() / 1e9, epoch, 1e-6, "seconds since the epoch");
      assertNull(txs.inTransaction(tx -> tx.queryOne("SELECT some_date FROM t2_times WHERE id = 2",
          LocalDate.class)));
    } finally {
      TimeZone.setDefault(saved);
    }
  }
}
