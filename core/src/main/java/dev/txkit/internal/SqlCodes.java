package dev.txkit.internal;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** Finds the database's codes (SQLState, vendor code) in a failure, for warnings and events. */
final class SqlCodes {

  private SqlCodes() {
  }

  /** @return the first {@link SQLException} in the failure's cause chain, or null */
  static @Nullable SQLException find(@Nullable Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 16; depth++) {
      if (t instanceof SQLException) {
        return (SQLException) t;
      }
      t = t.getCause();
    }
    return null;
  }

  /** @return " (SQLState s, vendor code n)", or "" when the failure holds no SQLException */
  static String describe(@Nullable Throwable failure) {
    SQLException e = find(failure);
    return e == null ? "" : " (SQLState " + e.getSQLState() + ", vendor code " + e.getErrorCode() + ")";
  }
}
