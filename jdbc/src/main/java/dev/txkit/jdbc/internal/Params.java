package dev.txkit.jdbc.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.jspecify.annotations.Nullable;

/** Binds parameters: always bound, never concatenated; null and java.time values portable. */
final class Params {

  /** What {@code tx.update(sql, null)} means: Java passes a null array, the caller meant one SQL NULL. */
  private static final Object[] ONE_NULL = {null};

  private Params() {
  }

  /**
   * The arguments of a wrapper call as they are to be bound.
   *
   * @param args the varargs array, null when the caller wrote a lone {@code null}
   * @return {@code args}, or an array holding one null
   */
  static Object[] of(Object @Nullable [] args) {
    return args == null ? ONE_NULL : args;
  }

  static void bind(PreparedStatement ps, Object @Nullable [] given, boolean mysqlFamily) throws SQLException {
    Object[] args = of(given);
    for (int i = 0; i < args.length; i++) {
      bindOne(ps, i + 1, args[i], mysqlFamily);
    }
  }

  /**
   * A point in time. MariaDB/MySQL have no zoned type: store its UTC wall-clock time, bound as a
   * {@code LocalDateTime}, which the drivers send verbatim. Binding a {@code java.sql.Timestamp} (or letting the
   * driver convert an {@code OffsetDateTime}) sends the wall-clock time of the JVM's zone, which is ambiguous in
   * the hour after clocks go back: such an instant read back an hour off. {@code RowMappers} reads it back at UTC.
   */
  private static void bindInstant(PreparedStatement ps, int index, Instant instant, @Nullable OffsetDateTime odt,
      boolean mysqlFamily) throws SQLException {
    if (mysqlFamily) {
      ps.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    } else {
      ps.setObject(index, odt != null ? odt : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
  }

  private static void bindOne(PreparedStatement ps, int index, Object v, boolean mysqlFamily) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.NULL);
    } else if (v instanceof Instant) {
      bindInstant(ps, index, (Instant) v, null, mysqlFamily);
    } else if (v instanceof OffsetDateTime) {
      bindInstant(ps, index, ((OffsetDateTime) v).toInstant(), (OffsetDateTime) v, mysqlFamily);
    } else if (v instanceof ZonedDateTime) {
      OffsetDateTime odt = ((ZonedDateTime) v).toOffsetDateTime();
      bindInstant(ps, index, odt.toInstant(), odt, mysqlFamily);
    } else if (v instanceof Enum) {
      ps.setString(index, ((Enum<?>) v).name());
    } else {
      ps.setObject(index, v);
    }
  }
}
