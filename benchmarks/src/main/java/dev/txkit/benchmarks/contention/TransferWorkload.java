package dev.txkit.benchmarks.contention;

import dev.txkit.jdbc.RowMapper;
import dev.txkit.jdbc.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The checked transfer between two of K hot accounts: read both balances, decline if the payer has too little,
 * otherwise debit the payer (guarded by {@code balance >= amount}, so that READ COMMITTED cannot overdraw) and
 * credit the payee. Three ways to order the statements:
 *
 * <ul>
 *   <li>{@link Order#RANDOM}: payer first, as the code reads; two transfers in opposite directions lock the
 *       same two rows in opposite orders and can deadlock;
 *   <li>{@link Order#KEY}: the lower account id first, by hand;
 *   <li>{@link Order#LOCK_ROWS}: payer first, after locking both rows in key order with one
 *       {@code SELECT ... ORDER BY id FOR UPDATE} ({@link Tx#lockRows} for txkit, the same statement by hand).
 * </ul>
 *
 * <p>Invariant: the total balance is conserved, no balance is negative, and every committed call changed
 * exactly two rows (each row's {@code ops} counter is incremented by every update of it, so the sum of the
 * counters grows by twice the number of commits the harness counted: no commit lost, none applied twice).
 */
public final class TransferWorkload implements Workload {

  /** How the statements of a transfer are ordered. */
  public enum Order {
    /** payer first */
    RANDOM("transfer-random", "payer's row first (random order)"),
    /** lower id first */
    KEY("transfer-ordered", "lower account id first (key order, by hand)"),
    /** both rows locked in key order first */
    LOCK_ROWS("transfer-lockrows", "both rows locked first in key order (Tx.lockRows; by hand the same "
        + "SELECT ... ORDER BY id FOR UPDATE)");

    private final String id;
    private final String text;

    Order(String id, String text) {
      this.id = id;
      this.text = text;
    }
  }

  static final String TABLE = "bench_accounts";
  static final long INITIAL = 1000;
  private static final String SELECT = "SELECT balance FROM " + TABLE + " WHERE id = ?";
  private static final String DEBIT =
      "UPDATE " + TABLE + " SET balance = balance - ?, ops = ops + 1 WHERE id = ? AND balance >= ?";
  private static final String CREDIT = "UPDATE " + TABLE + " SET balance = balance + ?, ops = ops + 1 WHERE id = ?";
  private static final String LOCK = "SELECT id FROM " + TABLE + " WHERE id IN (?, ?) ORDER BY id FOR UPDATE";
  private static final RowMapper<Long> LONG = rs -> rs.getLong(1);

  private final Order order;
  private final int accounts;

  /**
   * @param order how statements are ordered
   * @param accounts the number of hot accounts, at least 2
   * @throws IllegalArgumentException if fewer than 2 accounts
   */
  public TransferWorkload(Order order, int accounts) {
    if (accounts < 2) {
      throw new IllegalArgumentException("a transfer needs at least 2 accounts, was " + accounts);
    }
    this.order = order;
    this.accounts = accounts;
  }

  @Override
  public String id() {
    return order.id;
  }

  @Override
  public String description() {
    return String.format(Locale.ROOT, "checked transfer between 2 of %d hot accounts: SELECT both balances, "
        + "UPDATE both; %s", accounts, order.text);
  }

  @Override
  public void setUp(Target target, Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + TABLE);
      st.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, balance BIGINT NOT NULL, ops BIGINT NOT NULL)");
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, balance, ops) VALUES (?, ?, 0)")) {
      for (int id = 1; id <= accounts; id++) {
        ps.setInt(1, id);
        ps.setLong(2, INITIAL);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Override
  public void reset(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET balance = ?, ops = 0")) {
      ps.setLong(1, INITIAL);
      ps.executeUpdate();
    }
  }

  @Override
  public long[] snapshot(Connection c) throws SQLException {
    return new long[] {sums(c)[2]};
  }

  @Override
  public @Nullable String check(Connection c, long[] before, long committed) throws SQLException {
    long[] s = sums(c);
    StringBuilder problems = new StringBuilder();
    if (s[0] != INITIAL * accounts) {
      problems.append("total balance ").append(s[0]).append(" instead of ").append(INITIAL * accounts).append("; ");
    }
    if (s[1] < 0) {
      problems.append("a balance is negative (").append(s[1]).append("); ");
    }
    if (s[2] - before[0] != 2 * committed) {
      problems.append(s[2] - before[0]).append(" rows updated for ").append(committed)
          .append(" committed transfers (expected twice as many); ");
    }
    return problems.length() == 0 ? null : problems.substring(0, problems.length() - 2);
  }

  private static long[] sums(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT SUM(balance), MIN(balance), SUM(ops) FROM " + TABLE)) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    }
  }

  @Override
  public void tearDown(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + TABLE);
    }
  }

  @Override
  public Operation next(SplittableRandom random) {
    int from = 1 + random.nextInt(accounts);
    int to = 1 + random.nextInt(accounts - 1);
    if (to >= from) {
      to++;
    }
    return new Transfer(order, from, to, 1 + random.nextInt(10));
  }

  private static final class Transfer implements Operation {
    private final Order order;
    private final int from;
    private final int to;
    private final long amount;
    private final int first;
    private final int second;

    Transfer(Order order, int from, int to, long amount) {
      this.order = order;
      this.from = from;
      this.to = to;
      this.amount = amount;
      this.first = order == Order.KEY ? Math.min(from, to) : from;
      this.second = first == from ? to : from;
    }

    @Override
    public boolean runJdbc(Connection c) throws SQLException {
      if (order == Order.LOCK_ROWS) {
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
          ps.setInt(1, Math.min(from, to));
          ps.setInt(2, Math.max(from, to));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              rs.getInt(1);
            }
          }
        }
      }
      long firstBalance = balance(c, first);
      long secondBalance = balance(c, second);
      if ((first == from ? firstBalance : secondBalance) < amount) {
        return false;
      }
      return apply(c, first) && apply(c, second);
    }

    private static long balance(Connection c, int id) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(SELECT)) {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("account " + id + " does not exist");
          }
          return rs.getLong(1);
        }
      }
    }

    private boolean apply(Connection c, int id) throws SQLException {
      if (id == from) {
        try (PreparedStatement ps = c.prepareStatement(DEBIT)) {
          ps.setLong(1, amount);
          ps.setInt(2, id);
          ps.setLong(3, amount);
          return ps.executeUpdate() == 1;
        }
      }
      try (PreparedStatement ps = c.prepareStatement(CREDIT)) {
        ps.setLong(1, amount);
        ps.setInt(2, id);
        return ps.executeUpdate() == 1;
      }
    }

    @Override
    public boolean runTx(Tx tx) {
      if (order == Order.LOCK_ROWS) {
        tx.lockRows(TABLE, "id", List.of(from, to));
      }
      long firstBalance = tx.queryOne(SELECT, LONG, first);
      long secondBalance = tx.queryOne(SELECT, LONG, second);
      boolean ok = (first == from ? firstBalance : secondBalance) >= amount
          && apply(tx, first) && apply(tx, second);
      if (!ok) {
        tx.setRollbackOnly();
      }
      return ok;
    }

    private boolean apply(Tx tx, int id) {
      return id == from ? tx.update(DEBIT, amount, id, amount) == 1 : tx.update(CREDIT, amount, id) == 1;
    }
  }
}
