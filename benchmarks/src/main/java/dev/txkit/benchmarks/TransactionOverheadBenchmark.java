package dev.txkit.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Isolation;
import dev.txkit.TransactionSummary;
import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one transaction costs with txkit compared with hand-written JDBC doing the same work: take a pooled
 * connection (HikariCP, shared by all variants), one {@code UPDATE} of one row by primary key, commit, give the
 * connection back.
 *
 * <ul>
 *   <li>{@link #handWritten}: try / commit / catch / rollback / restore autocommit, as people write it;
 *   <li>{@link #txkit}: {@code txs.inTransaction(tx -> tx.update(...))};
 *   <li>{@link #handWrittenSerializable} and {@link #txkitSerializable}: the same with an explicit isolation
 *       level that differs from the connection's default, set before and restored after;
 *   <li>{@link #txkitRawConnection}: txkit's transaction, with the statement made by hand on
 *       {@code tx.connection()} (the escape hatch for raw JDBC);
 *   <li>{@link #txkitSummary}: {@link #txkit} with a {@link TransactionSummary} listener, so that every statement
 *       is timed and every call's statistics recorded (what observing transactions costs).
 * </ul>
 *
 * <p>{@code db=h2} (default) is an in-memory H2 database in the benchmark's JVM; {@code db=postgres} is the
 * server at {@code TXKIT_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), in the
 * table {@code bm_overhead}, which the benchmark creates and drops, with {@code synchronous_commit = off} in its
 * sessions.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class TransactionOverheadBenchmark {

  static final String TABLE = "bm_overhead";
  static final int ROWS = 1024;
  static final String UPDATE = "UPDATE " + TABLE + " SET n = n + 1 WHERE id = ?";

  /** The database: {@code h2} or {@code postgres}. */
  @Param({"h2"})
  public String db;

  private HikariDataSource pool;
  private Transactions txs;
  private Transactions summarized;
  private final TransactionSummary summary = new TransactionSummary();

  /** The next row each thread updates, so that threads never contend for a row. */
  @State(Scope.Thread)
  public static class Row {
    private static final java.util.concurrent.atomic.AtomicInteger THREADS =
        new java.util.concurrent.atomic.AtomicInteger();
    private final int offset = THREADS.getAndIncrement() * 64;
    private int i;

    /** @return the id of the row this operation updates */
    int next() {
      i = (i + 1) & 63;
      return 1 + ((offset + i) % ROWS);
    }
  }

  /**
   * Creates the pool and the table.
   *
   * @throws SQLException if the database cannot be set up
   */
  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    setUp(url(db));
  }

  /**
   * Creates the pool and the table for a JDBC URL of {@link #db}'s kind (the round-trip count connects through
   * a relay).
   */
  void setUp(String jdbcUrl) throws SQLException {
    setUp(jdbcUrl, 4);
  }

  void setUp(String jdbcUrl, int poolSize) throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(poolSize);
    config.setPoolName("bm-" + db);
    if (db.equals("postgres")) {
      // Without waiting for the WAL flush, a transaction costs its round trips and the client's work, which is
      // what differs between the variants; the disk's fsync time would drown it (and varies with other load).
      config.setConnectionInitSql("SET synchronous_commit = off");
    }
    pool = new HikariDataSource(config);
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + TABLE);
      st.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, n BIGINT NOT NULL)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, n) VALUES (?, 0)")) {
        for (int id = 1; id <= ROWS; id++) {
          ps.setInt(1, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    txs = Transactions.create(pool);
    summarized = Transactions.builder(pool).listener(summary).build();
  }

  /** @return the summary of the {@link #txkitSummary} variant's transactions */
  TransactionSummary summary() {
    return summary;
  }

  /**
   * Drops the table and closes the pool.
   *
   * @throws SQLException if the table cannot be dropped
   */
  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + TABLE);
    } finally {
      pool.close();
    }
  }

  static String url(String db) {
    switch (db) {
      case "h2":
        return "jdbc:h2:mem:bm;DB_CLOSE_DELAY=-1";
      case "postgres":
        String url = System.getenv("TXKIT_PG_URL");
        return url == null || url.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/test?user=postgres" : url;
      default:
        throw new IllegalArgumentException("db must be h2 or postgres, was " + db);
    }
  }

  /**
   * (a) Hand-written JDBC.
   *
   * @param row the row to update
   * @return the update count
   * @throws SQLException if the database fails
   */
  @Benchmark
  public int handWritten(Row row) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
        ps.setInt(1, row.next());
        int n = ps.executeUpdate();
        c.commit();
        return n;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /**
   * (b) txkit with the default options.
   *
   * @param row the row to update
   * @return the update count
   */
  @Benchmark
  public int txkit(Row row) {
    int id = row.next();
    return txs.inTransaction(tx -> tx.update(UPDATE, id));
  }

  /**
   * Hand-written JDBC with an explicit isolation, the counterpart of (c).
   *
   * @param row the row to update
   * @return the update count
   * @throws SQLException if the database fails
   */
  @Benchmark
  public int handWrittenSerializable(Row row) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
        ps.setInt(1, row.next());
        int n = ps.executeUpdate();
        c.commit();
        return n;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
    }
  }

  /**
   * (c) txkit with an explicit isolation.
   *
   * @param row the row to update
   * @return the update count
   */
  @Benchmark
  public int txkitSerializable(Row row) {
    int id = row.next();
    return txs.inTransaction(Isolation.SERIALIZABLE, tx -> tx.update(UPDATE, id));
  }

  /**
   * (d) txkit's transaction with a statement made by hand on the managed connection.
   *
   * @param row the row to update
   * @return the update count
   * @throws SQLException if the database fails
   */
  @Benchmark
  public int txkitRawConnection(Row row) throws SQLException {
    int id = row.next();
    return txs.inTransaction(tx -> {
      try (PreparedStatement ps = tx.connection().prepareStatement(UPDATE)) {
        ps.setInt(1, id);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * (e) txkit with the summary listener: statistics measured and kept per call.
   *
   * @param row the row to update
   * @return the update count
   */
  @Benchmark
  public int txkitSummary(Row row) {
    int id = row.next();
    return summarized.inTransaction(tx -> tx.update(UPDATE, id));
  }
}
