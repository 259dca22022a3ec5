package dev.txkit.jdbc.internal;

import dev.txkit.DatabaseFailureException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;

/**
 * Binds the rows of {@code tx.batch}. A JDBC driver keeps parameters bound from one {@code addBatch} to the
 * next, so a row with fewer values than the statement has placeholders would silently take the previous row's
 * values for the rest. Rows of different lengths are therefore refused before anything is bound, and the
 * parameters are cleared before each row, so that rows that are all too short fail in the driver for their first
 * unset parameter instead of inheriting anything.
 */
final class BatchRows {

  private BatchRows() {
  }

  /**
   * Checks that every row is there and has as many values as the first.
   *
   * @param sql the statement, for the message
   * @param rows the rows
   * @return the number of values of every row
   * @throws NullPointerException if a row is null
   * @throws IllegalArgumentException if a row has another length than the first
   */
  static int check(String sql, Collection<Object[]> rows) {
    int expected = -1;
    int index = 0;
    for (Object[] row : rows) {
      index++;
      if (row == null) {
        throw new NullPointerException("batch row " + index + " is null; give every row an array of values");
      }
      if (expected < 0) {
        expected = row.length;
      } else if (row.length != expected) {
        throw new IllegalArgumentException("batch row " + index + " has " + values(row.length) + " but row 1 has "
            + values(expected) + ", in [" + TxScope.abbreviate(sql) + "]. Every row must give a value for every "
            + "parameter; nothing of the batch was run");
      }
    }
    return expected;
  }

  /**
   * Binds every row and adds it to the batch.
   *
   * @param ps the prepared statement
   * @param rows rows checked by {@link #check}
   * @param dialect how parameters bind
   * @throws SQLException if the driver refuses a value
   * @throws IllegalArgumentException if the driver reports a parameter left unset when the row is added
   */
  static void add(PreparedStatement ps, String sql, Collection<Object[]> rows, Dialect dialect)
      throws SQLException {
    int index = 0;
    for (Object[] row : rows) {
      index++;
      ps.clearParameters();
      dialect.bind(ps, row);
      try {
        ps.addBatch();
      } catch (SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.startsWith("07")) {
          // SQLState class 07, dynamic SQL error: MariaDB Connector/J reports an unset parameter as 07004 in a
          // SQLTransientConnectionException, which would pass for a lost connection and be retried; so it is
          // not attached as the cause (the classifier walks causes), only its text is quoted
          throw new IllegalArgumentException("batch row " + index + " has " + values(row.length) + " but the "
              + "statement has more parameters, in [" + TxScope.abbreviate(sql) + "]; give a value for every "
              + "parameter. Nothing of the batch was run. The driver said: "
              + DatabaseFailureException.excerpt(e.getMessage()) + " [SQLState " + state + "]");
        }
        throw e;
      }
    }
  }

  private static String values(int n) {
    return n == 1 ? "1 value" : n + " values";
  }
}
