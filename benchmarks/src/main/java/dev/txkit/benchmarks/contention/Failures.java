package dev.txkit.benchmarks.contention;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * How the harness classifies failures, independently of txkit's classifier: the way a careful developer would
 * write it by hand. Retryable are SQLState 40001 (serialization failure; also MariaDB's and H2's deadlock) and
 * 40P01 (PostgreSQL's deadlock), and MariaDB's vendor code 1213 (deadlock) whatever its SQLState.
 */
public final class Failures {

  private Failures() {
  }

  /**
   * Whether a hand-written retry loop retries this failure.
   *
   * @param e the driver's exception
   * @return true for 40001, 40P01 and vendor code 1213
   */
  public static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state) || e.getErrorCode() == 1213;
  }

  /**
   * A short label for the report, from the first {@link SQLException} in the cause chain: e.g.
   * {@code deadlock 40P01}, {@code serialization 40001}, {@code lock timeout HYT00}, {@code SQLState 23505}; the
   * exception's class name where there is no SQL exception.
   *
   * @param t what reached the caller, or what failed an attempt
   * @return the label
   */
  public static String label(Throwable t) {
    SQLException e = sqlException(t);
    if (e == null) {
      return t.getClass().getSimpleName();
    }
    String state = String.valueOf(e.getSQLState());
    if (e.getErrorCode() == 1213 || "40P01".equals(state)) {
      return "deadlock " + (e.getErrorCode() == 1213 ? "1213" : state);
    }
    if ("40001".equals(state)) {
      // H2 reports its deadlocks and write conflicts as 40001 too; its message says which.
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      return m.contains("deadlock") ? "deadlock 40001" : "serialization 40001";
    }
    if ("HYT00".equals(state) || e.getErrorCode() == 1205 || "55P03".equals(state)) {
      return "lock timeout " + (e.getErrorCode() == 1205 ? "1205" : state);
    }
    return "SQLState " + state;
  }

  /**
   * Whether the label names a deadlock.
   *
   * @param label from {@link #label}
   * @return true for deadlocks
   */
  public static boolean isDeadlock(String label) {
    return label.startsWith("deadlock");
  }

  /**
   * The first {@link SQLException} in the cause chain (depth-capped).
   *
   * @param t the throwable
   * @return the exception, or null
   */
  public static @Nullable SQLException sqlException(Throwable t) {
    Throwable c = t;
    for (int i = 0; c != null && i < 16; i++, c = c.getCause()) {
      if (c instanceof SQLException) {
        return (SQLException) c;
      }
    }
    return null;
  }
}
