package dev.txkit.testing;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Jepsen's bank: transfers between N accounts, and reads of all balances. Each transfer locks both accounts with
 * {@code lockRows}, debits (refusing an overdraft), credits, and writes a row into a transfer log, all in one
 * transaction; the log row is how the checkers find out which transfers were applied, and how often.
 *
 * <p>Checkers: the total is conserved (in the end, and in every read); no balance is negative (in the end, and in
 * every read); every acknowledged transfer was applied exactly once, every unknown one at most once, every failed
 * one never, and nothing else was applied; each account's balance is its opening balance plus what the log says
 * it received, minus what it sent. Immutable; one instance per run (it creates its tables in {@link #setUp}).
 *
 * <p>About 350 lines: the operations, the four checkers that read them against the tables, and the builder.
 */
public final class BankWorkload implements Workload {

  /**
   * A transfer's argument.
   *
   * @param id the transfer's id, unique in the run (written to the log)
   * @param from the account debited
   * @param to the account credited
   * @param amount the amount
   */
  public record Transfer(long id, long from, long to, long amount) {
    @Override
    public String toString() {
      return "{" + from + "->" + to + " " + amount + " id " + id + "}";
    }
  }

  private final String accounts;
  private final String log;
  private final int count;
  private final long opening;
  private final long maxAmount;
  private final double readRatio;

  private BankWorkload(Builder b) {
    this.accounts = b.prefix + "accounts";
    this.log = b.prefix + "transfers";
    this.count = b.accounts;
    this.opening = b.opening;
    this.maxAmount = b.maxAmount;
    this.readRatio = b.readRatio;
  }

  /** @return a builder; default 8 accounts of 100, transfers up to 30, a tenth of the operations reads */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "bank";
  }

  /** @return the accounts table's name */
  public String accountsTable() {
    return accounts;
  }

  /** @return the transfer log's name */
  public String logTable() {
    return log;
  }

  @Override
  public void setUp(Transactions txs) {
    txs.useTransaction(tx -> tx.update("DROP TABLE IF EXISTS " + log));
    txs.useTransaction(tx -> tx.update("DROP TABLE IF EXISTS " + accounts));
    String engine = txs.database().isMysqlFamily() ? " ENGINE=InnoDB" : "";
    txs.useTransaction(tx -> tx.update("CREATE TABLE " + accounts
        + " (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)" + engine));
    // no unique key on the transfer id: a transfer applied twice shows as two rows
    txs.useTransaction(tx -> tx.update("CREATE TABLE " + log + " (transfer_id BIGINT NOT NULL, from_id BIGINT NOT "
        + "NULL, to_id BIGINT NOT NULL, amount BIGINT NOT NULL)" + engine));
    txs.useTransaction(tx -> {
      for (long id = 1; id <= count; id++) {
        tx.update("INSERT INTO " + accounts + " (id, balance) VALUES (?, ?)", id, opening);
      }
    });
  }

  /**
   * Drops the workload's tables.
   *
   * @param txs the transactions of the database the workload was set up on
   */
  public void tearDown(Transactions txs) {
    txs.useTransaction(tx -> tx.update("DROP TABLE IF EXISTS " + log));
    txs.useTransaction(tx -> tx.update("DROP TABLE IF EXISTS " + accounts));
  }

  @Override
  public @Nullable Operation next(Random random, int process, int index) {
    if (random.nextDouble() < readRatio) {
      return new Operation("read", null);
    }
    long from = 1L + random.nextInt(count);
    long to = 1L + (from + random.nextInt(count - 1)) % count;
    long id = ((long) process << 32) | index;
    return new Operation("transfer", new Transfer(id, from, to, 1L + random.nextInt((int) maxAmount)));
  }

  @Override
  public @Nullable Object invoke(Transactions txs, Operation op, int process) {
    if (op.f().equals("read")) {
      return txs.inTransaction(TxOptions.builder().name("bank-read").readOnly(true).build(),
          tx -> tx.query("SELECT balance FROM " + accounts + " ORDER BY id", Long.class));
    }
    Transfer t = (Transfer) Objects.requireNonNull(op.value());
    txs.useTransaction(TxOptions.builder().name("bank-transfer").build(), tx -> {
      tx.lockRows(accounts, "id", List.of(t.from(), t.to()));
      // an overdraft changes no row: updateOne throws, the transfer fails and rolls back
      tx.updateOne("UPDATE " + accounts + " SET balance = balance - ? WHERE id = ? AND balance >= ?", t.amount(),
          t.from(), t.amount());
      tx.updateOne("UPDATE " + accounts + " SET balance = balance + ? WHERE id = ?", t.amount(), t.to());
      tx.update("INSERT INTO " + log + " (transfer_id, from_id, to_id, amount) VALUES (?, ?, ?, ?)", t.id(),
          t.from(), t.to(), t.amount());
    });
    return null;
  }

  @Override
  public List<Checker> checkers() {
    return List.of(
        Checker.of("total conserved", this::totalConserved),
        Checker.of("no negative balance", this::noNegativeBalance),
        Checker.of("acknowledged applied exactly once, unknown at most once, failed never", this::exactlyOnce),
        Checker.of("balances match the transfer log", this::balancesMatchLog));
  }

  @SuppressWarnings("unchecked")
  private static List<Long> balances(History.Op read) {
    return (List<Long>) Objects.requireNonNull(read.result());
  }

  private Checker.Result totalConserved(History h, DataSource db) throws SQLException {
    long expected = opening * count;
    long total = 0;
    for (long b : finalBalances(db).values()) {
      total += b;
    }
    if (total != expected) {
      return Checker.Result.invalid("the total is " + total + " in the end, not " + expected);
    }
    int reads = 0;
    for (History.Op r : h.operations("read")) {
      if (r.ok()) {
        reads++;
        long sum = balances(r).stream().mapToLong(Long::longValue).sum();
        if (sum != expected) {
          return Checker.Result.invalid("read " + r + " saw a total of " + sum + ", not " + expected);
        }
      }
    }
    return Checker.Result.valid("total " + expected + " in the end and in all " + reads + " reads");
  }

  private Checker.Result noNegativeBalance(History h, DataSource db) throws SQLException {
    for (Map.Entry<Long, Long> e : finalBalances(db).entrySet()) {
      if (e.getValue() < 0) {
        return Checker.Result.invalid("account " + e.getKey() + " ends with " + e.getValue());
      }
    }
    for (History.Op r : h.operations("read")) {
      if (r.ok() && balances(r).stream().anyMatch(b -> b < 0)) {
        return Checker.Result.invalid("read " + r + " saw a negative balance");
      }
    }
    return Checker.Result.valid("no account below 0, in the end or in any read");
  }

  private Checker.Result exactlyOnce(History h, DataSource db) throws SQLException {
    Map<Long, Integer> applied = new HashMap<>();
    for (long[] row : logRows(db)) {
      applied.merge(row[0], 1, Integer::sum);
    }
    List<String> wrong = new ArrayList<>();
    long ok = 0;
    long unknownApplied = 0;
    long unknown = 0;
    for (History.Op op : h.operations("transfer")) {
      Transfer t = (Transfer) Objects.requireNonNull(op.value());
      int n = applied.getOrDefault(t.id(), 0);
      applied.remove(t.id());
      if (op.ok() && n != 1) {
        wrong.add("acknowledged " + op + " applied " + n + " times");
      } else if (op.failed() && n != 0) {
        wrong.add("failed " + op + " applied " + n + " times");
      } else if (op.unknown() && n > 1) {
        wrong.add("unknown " + op + " applied " + n + " times");
      }
      ok += op.ok() ? 1 : 0;
      unknown += op.unknown() ? 1 : 0;
      unknownApplied += op.unknown() && n == 1 ? 1 : 0;
    }
    if (!applied.isEmpty()) {
      wrong.add("transfers in the log that nobody invoked: " + applied.keySet());
    }
    if (!wrong.isEmpty()) {
      return Checker.Result.invalid(wrong.size() + " transfer(s) wrong: " + wrong.subList(0, Math.min(5,
          wrong.size())));
    }
    return Checker.Result.valid(ok + " acknowledged applied once; " + unknown + " unknown, of which "
        + unknownApplied + " applied; the failed ones never");
  }

  private Checker.Result balancesMatchLog(History h, DataSource db) throws SQLException {
    Map<Long, Long> expected = new HashMap<>();
    for (long id = 1; id <= count; id++) {
      expected.put(id, opening);
    }
    for (long[] row : logRows(db)) {
      expected.merge(row[1], -row[3], Long::sum);
      expected.merge(row[2], row[3], Long::sum);
    }
    Map<Long, Long> actual = finalBalances(db);
    if (!actual.equals(expected)) {
      return Checker.Result.invalid("the balances are " + actual + ", the log says " + expected);
    }
    return Checker.Result.valid("every balance is its opening balance plus the log's credits minus its debits");
  }

  private Map<Long, Long> finalBalances(DataSource db) throws SQLException {
    Map<Long, Long> out = new TreeMap<>();
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, balance FROM " + accounts)) {
      while (rs.next()) {
        out.put(rs.getLong(1), rs.getLong(2));
      }
    }
    return out;
  }

  private List<long[]> logRows(DataSource db) throws SQLException {
    List<long[]> out = new ArrayList<>();
    try (Connection c = db.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT transfer_id, from_id, to_id, amount FROM " + log)) {
      while (rs.next()) {
        out.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "BankWorkload[" + count + " accounts of " + opening + ", tables " + accounts + ", " + log + "]";
  }

  /** Builds a {@link BankWorkload}. */
  public static final class Builder {
    private String prefix = "bank_";
    private int accounts = 8;
    private long opening = 100;
    private long maxAmount = 30;
    private double readRatio = 0.1;

    private Builder() {
    }

    /**
     * The prefix of the tables {@code <prefix>accounts} and {@code <prefix>transfers}.
     *
     * @param prefix a plain identifier prefix; default {@code "bank_"}
     * @return this builder
     */
    public Builder tablePrefix(String prefix) {
      TableState.checkName(prefix + "x");
      this.prefix = prefix;
      return this;
    }

    /**
     * The number of accounts.
     *
     * @param accounts at least 2; default 8
     * @return this builder
     */
    public Builder accounts(int accounts) {
      if (accounts < 2) {
        throw new IllegalArgumentException("a bank needs at least 2 accounts, got " + accounts);
      }
      this.accounts = accounts;
      return this;
    }

    /**
     * Each account's opening balance.
     *
     * @param balance at least 0; default 100
     * @return this builder
     */
    public Builder openingBalance(long balance) {
      if (balance < 0) {
        throw new IllegalArgumentException("the opening balance must not be negative, got " + balance);
      }
      this.opening = balance;
      return this;
    }

    /**
     * The largest amount of a transfer (amounts are drawn from 1 to it).
     *
     * @param amount at least 1; default 30
     * @return this builder
     */
    public Builder maxAmount(long amount) {
      if (amount < 1 || amount > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("the largest amount must be in [1, 2^31), got " + amount);
      }
      this.maxAmount = amount;
      return this;
    }

    /**
     * The share of operations that read all balances.
     *
     * @param ratio in [0, 1]; default 0.1
     * @return this builder
     */
    public Builder readRatio(double ratio) {
      if (!(ratio >= 0 && ratio <= 1)) {
        throw new IllegalArgumentException("the read ratio is in [0, 1], got " + ratio);
      }
      this.readRatio = ratio;
      return this;
    }

    /** @return the workload */
    public BankWorkload build() {
      return new BankWorkload(this);
    }
  }
}
