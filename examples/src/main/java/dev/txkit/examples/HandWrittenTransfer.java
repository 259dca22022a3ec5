package dev.txkit.examples;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The bank transfer of {@link BankTransfer} written the way it often is by hand: autocommit off, credit, debit
 * ({@code ... AND balance >= ?}), commit, roll back on an exception. Like much real code, it runs each statement
 * through a small helper that catches a failed statement, logs it and carries on, because "one failed update
 * should not kill the request". It has no retry and takes the rows' locks in the caller's order.
 *
 * <p>It is here to be compared with txkit, not copied. What goes wrong, measured by {@code HandWrittenTransferIT}
 * and the {@link Demo}:
 * <ul>
 *   <li>On H2 and MariaDB a deadlock rolls the whole transaction back, but the connection stays in a transaction:
 *       when the failed statement was the credit, the debit that follows runs in a new transaction and is
 *       committed alone. Money disappears, and the caller is told the transfer succeeded.</li>
 *   <li>When the failed statement was the debit, the code takes the zero rows for too little money: the caller is
 *       told "insufficient funds" for an account that had enough.</li>
 *   <li>On PostgreSQL the failure puts the transaction in the aborted state, every later statement fails as well,
 *       and the transfer is reported as "insufficient funds" too. Money is conserved there, the transfer is
 *       lost.</li>
 *   <li>Nothing is retried: every deadlock, serialization failure or lost connection that is not swallowed reaches
 *       the caller.</li>
 * </ul>
 *
 * <p>Thread-safe if the failure log is.
 */
public final class HandWrittenTransfer {

  /** What the caller is told. */
  public enum Outcome {
    /** The code committed. */
    COMMITTED,
    /** The debit changed no row, taken to mean too little money; the code rolled back. */
    INSUFFICIENT_FUNDS
  }

  private final DataSource dataSource;
  private final String accounts;
  private final Consumer<SQLException> log;

  /**
   * Transfers between the accounts of table {@code accounts} (created by {@link BankTransfer#createSchema()}).
   *
   * @param dataSource where the accounts are
   * @param accounts the table name
   * @param log where the helper "logs" the statement failures it catches and ignores
   */
  public HandWrittenTransfer(DataSource dataSource, String accounts, Consumer<SQLException> log) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.log = Objects.requireNonNull(log, "log");
  }

  /**
   * Moves {@code amount} cents from one account to another, the hand-written way.
   *
   * @param from the account to debit
   * @param to the account to credit
   * @param amount cents, positive
   * @return what the code believes happened
   * @throws SQLException if getting the connection, the commit or the rollback failed
   */
  public Outcome transfer(long from, long to, long amount) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        execute(c, "UPDATE " + accounts + " SET balance = balance + ? WHERE id = ?", amount, to);
        if (execute(c, "UPDATE " + accounts + " SET balance = balance - ? WHERE id = ? AND balance >= ?",
            amount, from, amount) != 1) {
          c.rollback();
          return Outcome.INSUFFICIENT_FUNDS;
        }
        c.commit();
        return Outcome.COMMITTED;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailed) {
          e.addSuppressed(rollbackFailed);
        }
        throw e;
      } finally {
        if (!c.isClosed()) {
          c.setAutoCommit(true);
        }
      }
    }
  }

  /** The helper: runs one update; a failure is logged and counts as zero rows. */
  private int execute(Connection c, String sql, long first, long second, long... more) {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, first);
      ps.setLong(2, second);
      for (int i = 0; i < more.length; i++) {
        ps.setLong(3 + i, more[i]);
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      log.accept(e);
      return 0;
    }
  }
}
