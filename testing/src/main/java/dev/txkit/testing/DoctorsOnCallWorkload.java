package dev.txkit.testing;

import dev.txkit.Isolation;
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
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Write skew, as in the doctors-on-call example of the SSI papers: each shift has two doctors on call; a doctor
 * may go off call if, in the same transaction, the count of doctors on call for the shift is at least two. Two
 * doctors who check at the same time both see two, and under snapshot isolation (PostgreSQL's REPEATABLE READ)
 * both go off call: nobody is left. SERIALIZABLE (PostgreSQL's SSI) aborts one of them, txkit retries it, and the
 * retry sees one doctor and refuses.
 *
 * <p>Process {@code 2s} and {@code 2s + 1} are the two doctors of shift {@code s} (run it with twice as many
 * threads as shifts); each tries once to go off call. With {@link #rendezvous()} (the default) the two doctors of a
 * shift meet between their check and their update, on their first attempt, so the race happens on every shift
 * instead of by chance. The checker: every shift ends with at least one doctor on call. Immutable; one instance
 * per run.
 */
public final class DoctorsOnCallWorkload implements Workload {

  /** Thrown when going off call would leave the shift without a doctor: the operation fails, nothing changed. */
  public static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  /**
   * A doctor of a shift.
   *
   * @param shift the shift
   * @param doctor the doctor, 0 or 1
   */
  public record Doctor(int shift, int doctor) {
  }

  private final String table;
  private final int shifts;
  private final Isolation isolation;
  private final boolean rendezvous;
  private final List<CyclicBarrier> barriers = new ArrayList<>();

  private DoctorsOnCallWorkload(String table, int shifts, Isolation isolation, boolean rendezvous) {
    this.table = table;
    this.shifts = shifts;
    this.isolation = isolation;
    this.rendezvous = rendezvous;
    for (int s = 0; s < shifts; s++) {
      barriers.add(new CyclicBarrier(2));
    }
  }

  /**
   * The workload, with the doctors of a shift meeting between check and update.
   *
   * @param table the table's name (created by {@link #setUp})
   * @param shifts the number of shifts (run with {@code 2 * shifts} threads)
   * @param isolation the isolation level of the doctors' transactions
   * @return the workload
   */
  public static DoctorsOnCallWorkload of(String table, int shifts, Isolation isolation) {
    TableState.checkName(table);
    if (shifts < 1) {
      throw new IllegalArgumentException("at least one shift, got " + shifts);
    }
    return new DoctorsOnCallWorkload(table, shifts, Objects.requireNonNull(isolation, "isolation"), true);
  }

  /** @return a copy whose doctors do not meet: the race happens only by chance */
  public DoctorsOnCallWorkload withoutRendezvous() {
    return new DoctorsOnCallWorkload(table, shifts, isolation, false);
  }

  /** @return whether the two doctors of a shift meet between their check and their update */
  public boolean rendezvous() {
    return rendezvous;
  }

  @Override
  public String name() {
    return "doctors on call (" + isolation + ")";
  }

  @Override
  public void setUp(Transactions txs) {
    String engine = txs.database().isMysqlFamily() ? " ENGINE=InnoDB" : "";
    txs.useTransaction(tx -> tx.update("DROP TABLE IF EXISTS " + table));
    txs.useTransaction(tx -> tx.update("CREATE TABLE " + table + " (shift INT NOT NULL, doctor INT NOT NULL, "
        + "on_call INT NOT NULL, PRIMARY KEY (shift, doctor))" + engine));
    txs.useTransaction(tx -> {
      for (int s = 0; s < shifts; s++) {
        tx.update("INSERT INTO " + table + " (shift, doctor, on_call) VALUES (?, 0, 1), (?, 1, 1)", s, s);
      }
    });
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
    if (index > 0 || process >= 2 * shifts) {
      return null;
    }
    return new Operation("go-off-call", new Doctor(process / 2, process % 2));
  }

  @Override
  public @Nullable Object invoke(Transactions txs, Operation op, int process) {
    Doctor d = (Doctor) Objects.requireNonNull(op.value());
    TxOptions options = TxOptions.builder().name("go-off-call").isolation(isolation).build();
    txs.useTransaction(options, tx -> {
      long onCall = tx.queryOne("SELECT COUNT(*) FROM " + table + " WHERE shift = ? AND on_call = 1", Long.class,
          d.shift());
      if (rendezvous && tx.attempt() == 1) {
        meet(d.shift());
      }
      if (onCall < 2) {
        throw new RefusedException("doctor " + d.doctor() + " of shift " + d.shift() + " stays on call: only "
            + onCall + " on call");
      }
      tx.updateOne("UPDATE " + table + " SET on_call = 0 WHERE shift = ? AND doctor = ?", d.shift(), d.doctor());
    });
    return null;
  }

  private void meet(int shift) {
    try {
      barriers.get(shift).await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (BrokenBarrierException | TimeoutException e) {
      // the other doctor is not coming (its operation ended otherwise): go on alone
    }
  }

  @Override
  public List<Checker> checkers() {
    return List.of(Checker.of("every shift keeps a doctor on call", this::someoneOnCall));
  }

  private Checker.Result someoneOnCall(History h, DataSource db) throws SQLException {
    List<String> empty = new ArrayList<>();
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT shift, SUM(on_call) FROM " + table + " GROUP BY shift ORDER BY shift")) {
      while (rs.next()) {
        if (rs.getLong(2) < 1) {
          empty.add("shift " + rs.getInt(1));
        }
      }
    }
    if (!empty.isEmpty()) {
      long both = h.count("go-off-call", History.Outcome.OK);
      return Checker.Result.invalid("write skew: " + empty.size() + " of " + shifts + " shift(s) have no doctor on "
          + "call (" + String.join(", ", empty) + "); " + both + " doctors were let go off call");
    }
    return Checker.Result.valid("all " + shifts + " shifts keep a doctor on call; "
        + h.count("go-off-call", History.Outcome.OK) + " went off call, "
        + h.count("go-off-call", History.Outcome.FAIL) + " were refused");
  }

  @Override
  public String toString() {
    return "DoctorsOnCallWorkload[" + table + ", " + shifts + " shifts, " + isolation + "]";
  }
}
