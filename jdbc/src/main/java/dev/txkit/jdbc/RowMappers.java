package dev.txkit.jdbc;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TimeZone;

import org.jspecify.annotations.Nullable;
/** Ready-made {@link RowMapper}s. All mappers returned are thread-safe. */
public final class RowMappers {

  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private RowMappers() {
  }

  /**
   * A mapper for {@code type}: {@link #record(Class)} for a record class, otherwise {@link #column(Class)} of
   * the first column.
   *
   * @param type the target type
   * @param <T> the type
   * @return the mapper
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> RowMapper<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return type.isRecord() ? (RowMapper<T>) record((Class) type) : column(type);
  }

  /**
   * Maps the first column to {@code type}: numbers, strings, {@code BigDecimal}, {@code Boolean}, byte arrays,
   * {@code java.time} types, {@code Instant}, enums (by name), or anything the driver's
   * {@code getObject(int, Class)} supports. SQL NULL maps to {@code null}. On MariaDB and MySQL, which have no
   * zoned type, {@code Instant} and {@code OffsetDateTime} values are stored and read as UTC wall-clock times
   * (as txkit binds them), and {@code LocalDateTime} is read exactly whatever the JVM's zone.
   *
   * @param type the column's Java type
   * @param <T> the type
   * @return the mapper
   */
  public static <T> RowMapper<T> column(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return rs -> read(rs, 1, type);
  }

  /**
   * Maps each row to a record by column label: a component {@code unitPrice} reads the column
   * {@code unitPrice}, {@code UNITPRICE} or {@code unit_price}, ignoring case. Every component needs a column.
   *
   * @param type the record class
   * @param <R> the record type
   * @return the mapper
   * @throws IllegalArgumentException if {@code type} is not a record
   */
  public static <R extends Record> RowMapper<R> record(Class<R> type) {
    Objects.requireNonNull(type, "type");
    if (!type.isRecord()) {
      throw new IllegalArgumentException(type.getName() + " is not a record; use RowMappers.column(type) or a "
          + "RowMapper lambda");
    }
    return new RecordMapper<>(type);
  }

  private static final class RecordMapper<R extends Record> implements RowMapper<R> {
    private final RecordComponent[] components;
    private final Constructor<R> constructor;
    private volatile @Nullable Columns cache;

    RecordMapper(Class<R> type) {
      components = type.getRecordComponents();
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
      }
      try {
        constructor = type.getDeclaredConstructor(types);
        constructor.setAccessible(true);
      } catch (NoSuchMethodException | RuntimeException e) {
        throw new IllegalArgumentException("Cannot use the canonical constructor of " + type.getName()
            + "; make the record accessible to txkit", e);
      }
    }

    @Override
    public R map(ResultSet rs) throws SQLException {
      Columns c = cache;
      if (c == null || c.rs != rs) {
        c = new Columns(rs, indexes(rs));
        cache = c;
      }
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        Class<?> t = components[i].getType();
        Class<?> target = t.isPrimitive() ? box(t) : t;
        Object v = read(rs, c.indexes[i], target);
        if (v == null && t.isPrimitive()) {
          throw new IllegalStateException("Column " + c.indexes[i] + " is NULL but record component "
              + components[i].getName() + " is a primitive " + t.getName() + "; use the boxed type");
        }
        values[i] = v;
      }
      try {
        return constructor.newInstance(values);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        throw new IllegalStateException("Record constructor of " + constructor.getDeclaringClass().getName()
            + " failed", cause);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("Cannot construct " + constructor.getDeclaringClass().getName(), e);
      }
    }

    private int[] indexes(ResultSet rs) throws SQLException {
      ResultSetMetaData md = rs.getMetaData();
      Map<String, Integer> byName = new HashMap<>();
      for (int i = md.getColumnCount(); i >= 1; i--) {
        byName.put(normalize(md.getColumnLabel(i)), i);
      }
      int[] idx = new int[components.length];
      for (int i = 0; i < components.length; i++) {
        Integer col = byName.get(normalize(components[i].getName()));
        if (col == null) {
          throw new IllegalStateException("The query has no column for record component '"
              + components[i].getName() + "' of " + constructor.getDeclaringClass().getSimpleName()
              + "; columns are " + byName.keySet() + " (matched ignoring case and underscores)");
        }
        idx[i] = col;
      }
      return idx;
    }

    private static String normalize(String s) {
      return s.replace("_", "").toLowerCase(Locale.ROOT);
    }
  }

  private static final class Columns {
    final ResultSet rs;
    final int[] indexes;

    Columns(ResultSet rs, int[] indexes) {
      this.rs = rs;
      this.indexes = indexes;
    }
  }

  // "NullAway": a column's value is null for SQL NULL whatever T is; without JSpecify generics (JDK 17) NullAway
  // cannot tell that T may be a nullable type here
  @SuppressWarnings({"unchecked", "rawtypes", "NullAway"})
  static <T> T read(ResultSet rs, int i, Class<T> type) throws SQLException {
    Object v;
    if (type == Long.class) {
      long x = rs.getLong(i);
      v = rs.wasNull() ? null : x;
    } else if (type == Integer.class) {
      int x = rs.getInt(i);
      v = rs.wasNull() ? null : x;
    } else if (type == Short.class) {
      short x = rs.getShort(i);
      v = rs.wasNull() ? null : x;
    } else if (type == Double.class) {
      double x = rs.getDouble(i);
      v = rs.wasNull() ? null : x;
    } else if (type == Float.class) {
      float x = rs.getFloat(i);
      v = rs.wasNull() ? null : x;
    } else if (type == Boolean.class) {
      boolean x = rs.getBoolean(i);
      v = rs.wasNull() ? null : x;
    } else if (type == String.class) {
      v = rs.getString(i);
    } else if (type == BigDecimal.class) {
      v = rs.getBigDecimal(i);
    } else if (type == byte[].class) {
      v = rs.getBytes(i);
    } else if (type == Instant.class) {
      Timestamp ts = isMysqlFamily(rs) ? rs.getTimestamp(i, utc()) : rs.getTimestamp(i);
      v = ts == null ? null : ts.toInstant();
    } else if (type == OffsetDateTime.class) {
      if (isMysqlFamily(rs)) {
        Timestamp ts = rs.getTimestamp(i, utc());
        v = ts == null ? null : OffsetDateTime.ofInstant(ts.toInstant(), ZoneOffset.UTC);
      } else {
        v = rs.getObject(i, OffsetDateTime.class);
      }
    } else if (type == LocalDateTime.class && isMysqlFamily(rs)) {
      // MariaDB Connector/J decodes DATETIME through the JVM's zone, even for getObject(LocalDateTime) and
      // getString: a wall-clock time in that zone's spring-forward gap (02:30 on a DST night) reads as 03:30.
      // Decoding at UTC, which has no gaps, returns exactly what was stored.
      Timestamp ts = rs.getTimestamp(i, utc());
      v = ts == null ? null : LocalDateTime.ofInstant(ts.toInstant(), ZoneOffset.UTC);
    } else if (type.isEnum()) {
      String s = rs.getString(i);
      v = s == null ? null : Enum.valueOf((Class) type, s);
    } else if (type == Object.class) {
      v = rs.getObject(i);
    } else {
      v = rs.getObject(i, type);
    }
    return (T) v;
  }

  /**
   * Whether the result set comes from a MariaDB or MySQL driver, whose date-time values have no zone and are
   * read and written as UTC wall-clock times (see {@code Params}).
   */
  private static boolean isMysqlFamily(ResultSet rs) throws SQLException {
    ResultSet raw = rs.isWrapperFor(ResultSet.class) ? rs.unwrap(ResultSet.class) : rs;
    String driver = raw.getClass().getName();
    return driver.startsWith("org.mariadb.") || driver.startsWith("com.mysql.");
  }

  /** A new calendar each time: drivers may modify the one they are given. */
  private static Calendar utc() {
    return new GregorianCalendar(UTC);
  }

  private static Class<?> box(Class<?> t) {
    if (t == long.class) {
      return Long.class;
    }
    if (t == int.class) {
      return Integer.class;
    }
    if (t == short.class) {
      return Short.class;
    }
    if (t == double.class) {
      return Double.class;
    }
    if (t == float.class) {
      return Float.class;
    }
    if (t == boolean.class) {
      return Boolean.class;
    }
    if (t == byte.class) {
      return Byte.class;
    }
    return Character.class;
  }
}
