package dev.txkit.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Maps the current row of a result set to a value. See {@link RowMappers} for ready-made mappers, including one
 * for records.
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface RowMapper<T> {

  /**
   * Maps the current row. Must not move the cursor.
   *
   * @param rs the result set, positioned on a row
   * @return the value; may be null
   * @throws SQLException if reading a column fails
   */
  T map(ResultSet rs) throws SQLException;
}
