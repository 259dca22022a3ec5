package dev.txkit.benchmarks.contention;

import dev.txkit.jdbc.RowMapper;
import dev.txkit.jdbc.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * pgbench's built-in TPC-B-like transaction ({@code pgbench -b tpcb-like}): update a random account, read it
 * back, update a random teller and a random branch by the same delta, insert a history row. {@code scale}
 * branches, 10 tellers and 100,000 accounts per branch, as {@code pgbench -i -s scale} makes them; scale 1 is one
 * hot branch row that every transaction updates.
 *
 * <p>On PostgreSQL the tables are pgbench's own, made by {@code pgbench -i} in the schema {@code tpcb<scale>}
 * (so that pgbench and txkit run on the same rows); elsewhere, or without pgbench, the same tables are made with
 * SQL. Invariant: the sums of the branch, teller and account balances and of the history deltas are equal (all
 * start at zero, and each transaction adds the same delta to each), and the history grew by exactly the number
 * of commits the harness counted.
 */
public final class TpcbWorkload implements Workload {

  /** Accounts per branch, fixed by pgbench. */
  public static final int ACCOUNTS_PER_BRANCH = 100_000;
  private static final RowMapper<Long> LONG = rs -> rs.getLong(1);

  private final int scale;
  private final Target target;
  private final @Nullable Pgbench pgbench;
  private final String branches;
  private final String tellers;
  private final String accounts;
  private final String history;
  private final String updateAccount;
  private final String selectAccount;
  private final String updateTeller;
  private final String updateBranch;
  private final String insertHistory;

  /**
   * @param scale number of branches, at least 1
   * @param target where it runs
   * @param pgbench pgbench, to create the tables on PostgreSQL, or null to create them with SQL
   * @throws IllegalArgumentException if {@code scale < 1}
   */
  public TpcbWorkload(int scale, Target target, @Nullable Pgbench pgbench) {
    if (scale < 1) {
      throw new IllegalArgumentException("TPC-B scale must be at least 1, was " + scale);
    }
    this.scale = scale;
    this.target = target;
    this.pgbench = target.isPostgres() ? pgbench : null;
    // MariaDB's schemas are databases, which the harness does not create: there the tables get a prefix.
    String prefix = target.isMariaDb() ? schema() + "_pgbench_" : schema() + ".pgbench_";
    this.branches = prefix + "branches";
    this.tellers = prefix + "tellers";
    this.accounts = prefix + "accounts";
    this.history = prefix + "history";
    this.updateAccount = "UPDATE " + accounts + " SET abalance = abalance + ? WHERE aid = ?";
    this.selectAccount = "SELECT abalance FROM " + accounts + " WHERE aid = ?";
    this.updateTeller = "UPDATE " + tellers + " SET tbalance = tbalance + ? WHERE tid = ?";
    this.updateBranch = "UPDATE " + branches + " SET bbalance = bbalance + ? WHERE bid = ?";
    this.insertHistory = "INSERT INTO " + history + " (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, "
        + "CURRENT_TIMESTAMP)";
  }

  /** @return the schema (PostgreSQL, H2) or table prefix (MariaDB) of this scale's tables */
  public String schema() {
    return "tpcb" + scale;
  }

  /** @return the number of branches */
  public int scale() {
    return scale;
  }

  @Override
  public String id() {
    return "tpcb-" + scale;
  }

  @Override
  public String description() {
    return String.format(Locale.ROOT, "pgbench's TPC-B-like transaction at scale %d (%s)", scale,
        scale == 1 ? "one hot branch" : scale + " branches");
  }

  @Override
  public void setUp(Target t, Connection c) throws Exception {
    if (pgbench != null) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE SCHEMA IF NOT EXISTS " + schema());
      }
      pgbench.initialize(scale, schema());
      return;
    }
    try (Statement st = c.createStatement()) {
      if (!target.isMariaDb()) {
        st.execute("CREATE SCHEMA IF NOT EXISTS " + schema());
      }
      for (String table : new String[] {history, accounts, tellers, branches}) {
        st.execute("DROP TABLE IF EXISTS " + table);
      }
      st.execute("CREATE TABLE " + branches + " (bid INT NOT NULL PRIMARY KEY, bbalance INT, filler CHAR(88))");
      st.execute("CREATE TABLE " + tellers + " (tid INT NOT NULL PRIMARY KEY, bid INT, tbalance INT, "
          + "filler CHAR(84))");
      st.execute("CREATE TABLE " + accounts + " (aid INT NOT NULL PRIMARY KEY, bid INT, abalance INT, "
          + "filler CHAR(84))");
      st.execute("CREATE TABLE " + history + " (tid INT, bid INT, aid INT, delta INT, mtime TIMESTAMP, "
          + "filler CHAR(22))");
      fill(st, branches, scale, 1);
      fill(st, tellers, 10 * scale, 10);
      fill(st, accounts, ACCOUNTS_PER_BRANCH * scale, ACCOUNTS_PER_BRANCH);
    }
  }

  /** Inserts rows 1..n with {@code bid = (id - 1) / perBranch + 1}, balance 0, in multi-row INSERTs. */
  private static void fill(Statement st, String table, int n, int perBranch) throws SQLException {
    boolean branch = perBranch == 1;
    int chunk = 1000;
    for (int start = 1; start <= n; start += chunk) {
      StringBuilder sql = new StringBuilder(chunk * 24).append("INSERT INTO ").append(table).append(" VALUES ");
      int end = Math.min(n, start + chunk - 1);
      for (int id = start; id <= end; id++) {
        sql.append(id == start ? "(" : ", (").append(id).append(", ");
        if (!branch) {
          sql.append((id - 1) / perBranch + 1).append(", ");
        }
        sql.append("0, '')");
      }
      st.executeUpdate(sql.toString());
    }
  }

  @Override
  public void reset(Connection c) {
    // Nothing to undo: the invariant holds at every quiescent point, and the history check uses a snapshot.
  }

  @Override
  public long[] snapshot(Connection c) throws SQLException {
    return new long[] {sums(c)[4]};
  }

  @Override
  public @Nullable String check(Connection c, long[] before, long committed) throws SQLException {
    long[] s = sums(c);
    StringBuilder problems = new StringBuilder();
    if (s[0] != s[1] || s[1] != s[2] || s[2] != s[3]) {
      problems.append(String.format(Locale.ROOT, "sums differ: branches %d, tellers %d, accounts %d, history %d; ",
          s[0], s[1], s[2], s[3]));
    }
    if (s[4] - before[0] != committed) {
      problems.append(s[4] - before[0]).append(" history rows for ").append(committed).append(" commits; ");
    }
    return problems.length() == 0 ? null : problems.substring(0, problems.length() - 2);
  }

  private long[] sums(Connection c) throws SQLException {
    // CAST: PostgreSQL's SUM(int) is bigint, but pgbench's abalance sums could exceed int elsewhere too.
    String sql = "SELECT (SELECT COALESCE(SUM(CAST(bbalance AS BIGINT)), 0) FROM " + branches + "), "
        + "(SELECT COALESCE(SUM(CAST(tbalance AS BIGINT)), 0) FROM " + tellers + "), "
        + "(SELECT COALESCE(SUM(CAST(abalance AS BIGINT)), 0) FROM " + accounts + "), "
        + "(SELECT COALESCE(SUM(CAST(delta AS BIGINT)), 0) FROM " + history + "), "
        + "(SELECT COUNT(*) FROM " + history + ")";
    if (target.isMariaDb()) {
      sql = sql.replace("AS BIGINT", "AS SIGNED");
    }
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)};
    }
  }

  @Override
  public void tearDown(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (target.isMariaDb()) {
        for (String table : new String[] {history, accounts, tellers, branches}) {
          st.execute("DROP TABLE IF EXISTS " + table);
        }
      } else {
        st.execute("DROP SCHEMA IF EXISTS " + schema() + " CASCADE");
      }
    }
  }

  @Override
  public Operation next(SplittableRandom random) {
    return new Tpcb(this, 1 + random.nextInt(ACCOUNTS_PER_BRANCH * scale), 1 + random.nextInt(scale),
        1 + random.nextInt(10 * scale), random.nextInt(-5000, 5001));
  }

  private static final class Tpcb implements Operation {
    private final TpcbWorkload w;
    private final int aid;
    private final int bid;
    private final int tid;
    private final int delta;

    Tpcb(TpcbWorkload w, int aid, int bid, int tid, int delta) {
      this.w = w;
      this.aid = aid;
      this.bid = bid;
      this.tid = tid;
      this.delta = delta;
    }

    @Override
    public boolean runJdbc(Connection c) throws SQLException {
      update(c, w.updateAccount, aid);
      try (PreparedStatement ps = c.prepareStatement(w.selectAccount)) {
        ps.setInt(1, aid);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          rs.getInt(1);
        }
      }
      update(c, w.updateTeller, tid);
      update(c, w.updateBranch, bid);
      try (PreparedStatement ps = c.prepareStatement(w.insertHistory)) {
        ps.setInt(1, tid);
        ps.setInt(2, bid);
        ps.setInt(3, aid);
        ps.setInt(4, delta);
        ps.executeUpdate();
      }
      return true;
    }

    private void update(Connection c, String sql, int id) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setInt(1, delta);
        ps.setInt(2, id);
        ps.executeUpdate();
      }
    }

    @Override
    public boolean runTx(Tx tx) {
      tx.update(w.updateAccount, delta, aid);
      tx.queryOne(w.selectAccount, LONG, aid);
      tx.update(w.updateTeller, delta, tid);
      tx.update(w.updateBranch, delta, bid);
      tx.update(w.insertHistory, tid, bid, aid, delta);
      return true;
    }
  }
}
