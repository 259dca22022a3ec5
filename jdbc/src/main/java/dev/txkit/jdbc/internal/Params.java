package dev.txkit.jdbc.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** Binds parameters: always bound, never concatenated; null and java.time values portable. */
final class Params {

  private Params() {
  }

  static void bind(PreparedStatement ps, Object[] args, boolean mysqlFamily) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      bindOne(ps, i + 1, args[i], mysqlFamily);
    }
  }

  private static void bindOne(PreparedStatement ps, int index, Object v, boolean mysqlFamily) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.NULL);
    } else if (v instanceof Instant) {
      // an instant is a point in time: bind it as UTC; MariaDB has no zoned type, so as a timestamp there
      Instant instant = (Instant) v;
      if (mysqlFamily) {
        ps.setTimestamp(index, Timestamp.from(instant));
      } else {
        ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
      }
    } else if (v instanceof ZonedDateTime) {
      ps.setObject(index, ((ZonedDateTime) v).toOffsetDateTime());
    } else if (v instanceof Enum) {
      ps.setString(index, ((Enum<?>) v).name());
    } else {
      ps.setObject(index, v);
    }
  }
}
