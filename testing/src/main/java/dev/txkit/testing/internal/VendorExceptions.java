package dev.txkit.testing.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Creates exceptions of the driver's own class when the driver is on the class path (by reflection, so the kit
 * needs no driver), else of the closest standard {@code java.sql} class.
 */
public final class VendorExceptions {

  private VendorExceptions() {
  }

  /**
   * Creates an exception.
   *
   * @param driverClass the class the driver throws
   * @param standardClass the {@code java.sql} class to use when the driver's is unavailable (a subclass of
   *     SQLException with a (String, String, int) constructor)
   * @param message the message as the driver words it
   * @param sqlState the SQLState, or null
   * @param vendorCode the vendor code
   * @param pgSeverity for pgjdbc: the severity of an error that comes from the server ({@code ERROR},
   *     {@code FATAL}), so that it carries a {@code ServerErrorMessage} and {@code message} is the server's
   *     primary message; null for pgjdbc's own client-side errors
   * @param pgDetail for pgjdbc server errors: the detail line, or null
   * @return the exception
   */
  public static SQLException create(String driverClass, String standardClass, String message,
      @Nullable String sqlState, int vendorCode, @Nullable String pgSeverity, @Nullable String pgDetail) {
    try {
      if (driverClass.equals("org.postgresql.util.PSQLException") && sqlState != null) {
        SQLException e = postgres(message, sqlState, pgSeverity, pgDetail);
        if (e != null) {
          return e;
        }
      } else if (driverClass.startsWith("org.h2.jdbc.")) {
        Class<?> c = Class.forName(driverClass);
        Constructor<?> k = c.getConstructor(String.class, String.class, String.class, int.class, Throwable.class,
            String.class);
        return (SQLException) k.newInstance(message, null, sqlState, vendorCode, null, null);
      } else if (!driverClass.equals(standardClass)) {
        // drivers whose exceptions take (reason, SQLState, vendor code), as MySQL Connector/J's
        Class<?> c = Class.forName(driverClass);
        return (SQLException) c.getConstructor(String.class, String.class, int.class)
            .newInstance(message, sqlState, vendorCode);
      }
    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
      // driver absent or of another version: fall back to the standard class below
    }
    // H2 appends "[code-build]" itself; without the driver, add it as H2 2.3 does
    String text = driverClass.startsWith("org.h2.jdbc.") ? message + " [" + vendorCode + "-232]" : message;
    return standard(standardClass, text, sqlState, vendorCode);
  }

  private static @Nullable SQLException postgres(String message, String sqlState, @Nullable String severity,
      @Nullable String detail) throws ReflectiveOperationException {
    Class<?> ex = Class.forName("org.postgresql.util.PSQLException");
    if (severity != null) {
      Class<?> sem = Class.forName("org.postgresql.util.ServerErrorMessage");
      String raw = "S" + severity + "\0V" + severity + "\0C" + sqlState + "\0M" + message + "\0"
          + (detail == null ? "" : "D" + detail + "\0");
      Object m = sem.getConstructor(String.class).newInstance(raw);
      return (SQLException) ex.getConstructor(sem).newInstance(m);
    }
    Class<?> stateClass = Class.forName("org.postgresql.util.PSQLState");
    Method getState = stateClass.getMethod("getState");
    for (Object s : stateClass.getEnumConstants()) {
      if (sqlState.equals(getState.invoke(s))) {
        return (SQLException) ex.getConstructor(String.class, stateClass).newInstance(message, s);
      }
    }
    return null;
  }

  private static SQLException standard(String className, String message, @Nullable String sqlState,
      int vendorCode) {
    try {
      Class<?> c = Class.forName(className);
      return (SQLException) c.getConstructor(String.class, String.class, int.class)
          .newInstance(message, sqlState, vendorCode);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return new SQLException(message, sqlState, vendorCode);
    }
  }
}
