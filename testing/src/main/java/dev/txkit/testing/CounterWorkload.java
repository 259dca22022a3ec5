package dev.txkit.testing;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Jepsen's counter: increments of one row, and reads of it. The checker bounds the final value and every read:
 * at least the sum of the increments acknowledged before (for a read: acknowledged before the read began), at
 * most that plus the increments whose outcome is unknown or still running (for a read: invoked before it ended).
 * Immutable; one instance per run.
 */
public final class CounterWorkload implements Workload {

  private final String table;
  private final double readRatio;
  private final int maxDelta;

  private CounterWorkload(String table, double readRatio, int maxDelta) {
    this.table = table;
    this.readRatio = readRatio;
    this.maxDelta = maxDelta;
  }

  /**
   * A counter in its own table.
   *
   * @param table the table's name (created by {@link #setUp})
   * @param readRatio the share of operations that read, in [0, 1]
   * @param maxDelta the largest increment (increments are drawn from 1 to it), at least 1
   * @return the workload
   */
  public static CounterWorkload of(String table, double readRatio, int maxDelta) {
    TableState.checkName(table);
    if (!(readRatio >= 0 && readRatio <= 1)) {
      throw new IllegalArgumentException("the read ratio is in [0, 1], got " + readRatio);
    }
    if (maxDelta < 1) {
      throw new IllegalArgumentException("the largest increment must be at least 1, got " + maxDelta);
    }
    return new CounterWorkload(table, readRatio, maxDelta);
  }

  @Override
  public String name() {
    return "counter";
  }

  @Override
  public void setUp(Transactions txs) {
    String engine = txs.database().isMysqlFamily() ? " ENGINE=InnoDB" : "";
    txs.useTransaction(tx -> tx.update("DROP TABLE IF EXISTS " + table));
    txs.useTransaction(tx -> tx.update("CREATE TABLE " + table + " (id INT PRIMARY KEY, val BIGINT NOT NULL)"
        + engine));
    txs.useTransaction(tx -> tx.update("INSERT INTO " + table + " (id, val) VALUES (1, 0)"));
  }

  /**
   * Drops the table.
   *
   * @param txs the transactions of the database the workload was set up on
   */
  public void tearDown(Transactions txs) {
    txs.useTransaction(tx -> tx.update("DROP TABLE IF EXISTS " + table));
  }

  @Override
  public @Nullable Operation next(Random random, int process, int index) {
    return random.nextDouble() < readRatio ? new Operation("read", null)
        : new Operation("add", (long) (1 + random.nextInt(maxDelta)));
  }

  @Override
  public @Nullable Object invoke(Transactions txs, Operation op, int process) {
    if (op.f().equals("read")) {
      return txs.inTransaction(TxOptions.builder().name("counter-read").readOnly(true).build(),
          tx -> tx.queryOne("SELECT val FROM " + table + " WHERE id = 1", Long.class));
    }
    long delta = (Long) Objects.requireNonNull(op.value());
    txs.useTransaction(TxOptions.builder().name("counter-add").build(),
        tx -> tx.updateOne("UPDATE " + table + " SET val = val + ? WHERE id = 1", delta));
    return null;
  }

  @Override
  public List<Checker> checkers() {
    return List.of(Checker.of("acknowledged <= value <= acknowledged + unknown, in the end and in every read",
        this::bounds));
  }

  private Checker.Result bounds(History h, DataSource db) throws SQLException {
    List<History.Op> adds = h.operations("add");
    long acknowledged = 0;
    long possible = 0;
    for (History.Op a : adds) {
      long d = (Long) Objects.requireNonNull(a.value());
      acknowledged += a.ok() ? d : 0;
      possible += a.failed() ? 0 : d;
    }
    long value;
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT val FROM " + table + " WHERE id = 1")) {
      rs.next();
      value = rs.getLong(1);
    }
    if (value < acknowledged || value > possible) {
      return Checker.Result.invalid("the counter ends at " + value + ", outside [" + acknowledged + ", " + possible
          + "] (acknowledged, acknowledged + unknown)");
    }
    List<String> wrong = new ArrayList<>();
    int reads = 0;
    for (History.Op r : h.operations("read")) {
      if (!r.ok()) {
        continue;
      }
      reads++;
      long low = 0;
      long high = 0;
      for (History.Op a : adds) {
        long d = (Long) Objects.requireNonNull(a.value());
        if (a.ok() && r.after(a)) {
          low += d;
        }
        if (!a.failed() && a.invokedNanos() < r.completedNanos()) {
          high += d;
        }
      }
      long seen = (Long) Objects.requireNonNull(r.result());
      if (seen < low || seen > high) {
        wrong.add(r + " outside [" + low + ", " + high + "]");
      }
    }
    if (!wrong.isEmpty()) {
      return Checker.Result.invalid(wrong.size() + " read(s) out of bounds: " + wrong.subList(0, Math.min(5,
          wrong.size())));
    }
    return Checker.Result.valid("the counter ends at " + value + " in [" + acknowledged + ", " + possible + "]; all "
        + reads + " reads within their bounds");
  }

  @Override
  public String toString() {
    return "CounterWorkload[" + table + "]";
  }
}
