package dev.txkit.testing;

import dev.txkit.jdbc.Transactions;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.jspecify.annotations.Nullable;

/**
 * The JUnit 5 extension of the fault-injection kit. Before each test it wraps the data source in a new
 * {@link FaultyDataSource} (a fresh in-memory H2 database per test with {@link Builder#h2()}) and builds
 * {@link Transactions} over it with the faults' listener and a {@link FakeSleeper}; after each test it checks
 * that every armed fault fired ({@link Faults#assertAllFired()}), and for a failed test prints the call trace and
 * the seed and publishes them as a report entry.
 *
 * <pre>{@code
 * @RegisterExtension
 * static TxkitExtension kit = TxkitExtension.builder().h2().schema("CREATE TABLE t (id INT PRIMARY KEY)").build();
 *
 * @Test
 * void test(Transactions txs, Faults faults, Recorder recorder) { ... }
 * }</pre>
 *
 * <p>Works as a static or an instance field. Test methods may declare parameters of type {@link Transactions},
 * {@link FaultyDataSource}, {@link DataSource} (the faulty one), {@link Faults}, {@link Recorder} and
 * {@link FakeSleeper}. Not for tests running in parallel within one class. (Its length is JUnit's callbacks and
 * its builder's documented settings.)
 */
public final class TxkitExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private final boolean freshH2;
  private final @Nullable DataSource shared;
  private final List<String> schema;
  private final Consumer<Transactions.Builder> customizer;
  /** The running test's state, or null between tests. */
  private @Nullable TestState test;

  /** What one test gets. */
  private record TestState(DataSource current, FaultyDataSource faulty, Transactions transactions,
      FakeSleeper sleeper) {
  }

  private TxkitExtension(Builder b) {
    this.freshH2 = b.freshH2;
    this.shared = b.dataSource;
    this.schema = List.copyOf(b.schema);
    this.customizer = b.customizer;
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    DataSource current = freshH2 || shared == null
        ? new UrlDataSource("jdbc:h2:mem:txkit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1") : shared;
    if (!schema.isEmpty()) {
      try (Connection c = current.getConnection(); Statement st = c.createStatement()) {
        for (String s : schema) {
          st.execute(s);
        }
        if (!c.getAutoCommit()) {
          c.commit();
        }
      }
    }
    FaultyDataSource faulty = FaultyDataSource.wrap(current);
    FakeSleeper sleeper = new FakeSleeper();
    Transactions.Builder tb = faulty.transactions().sleeper(sleeper).ticker(sleeper);
    customizer.accept(tb);
    test = new TestState(current, faulty, tb.build(), sleeper);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    TestState t = state();
    FaultyDataSource f = t.faulty();
    try {
      if (context.getExecutionException().isPresent()) {
        String dump = f.recorder().dump();
        context.publishReportEntry("txkit-trace", dump);
        System.err.println(context.getDisplayName() + ": " + dump);
      } else {
        f.faults().assertAllFired();
      }
    } finally {
      f.faults().reset();
      if (freshH2) {
        try (Connection c = t.current().getConnection(); Statement st = c.createStatement()) {
          st.execute("SHUTDOWN");
        } catch (SQLException e) {
          // already gone
        }
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    Class<?> t = pc.getParameter().getType();
    return t == Transactions.class || t == FaultyDataSource.class || t == DataSource.class || t == Faults.class
        || t == Recorder.class || t == FakeSleeper.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    Class<?> t = pc.getParameter().getType();
    if (t == Transactions.class) {
      return transactions();
    }
    if (t == Faults.class) {
      return faults();
    }
    if (t == Recorder.class) {
      return recorder();
    }
    if (t == FakeSleeper.class) {
      return sleeper();
    }
    return dataSource();
  }

  private TestState state() {
    TestState t = test;
    if (t == null) {
      throw new IllegalStateException("The txkit extension has no data source yet: use it from a test method or "
          + "@BeforeEach, and register it with @RegisterExtension");
    }
    return t;
  }

  /** @return this test's faulty data source */
  public FaultyDataSource dataSource() {
    return state().faulty();
  }

  /** @return the real data source behind it, to check what was persisted */
  public DataSource realDataSource() {
    return state().faulty().delegate();
  }

  /** @return this test's fault controller */
  public Faults faults() {
    return state().faulty().faults();
  }

  /** @return this test's recorder */
  public Recorder recorder() {
    return state().faulty().recorder();
  }

  /** @return this test's transactions, over the faulty data source, with a fake sleeper */
  public Transactions transactions() {
    return state().transactions();
  }

  /** @return the fake sleeper and clock of this test's transactions */
  public FakeSleeper sleeper() {
    return state().sleeper();
  }

  /** Builds a {@link TxkitExtension}. */
  public static final class Builder {
    private boolean freshH2;
    private @Nullable DataSource dataSource;
    private final List<String> schema = new ArrayList<>();
    private Consumer<Transactions.Builder> customizer = b -> { };

    private Builder() {
    }

    /**
     * A fresh private in-memory H2 database for each test (H2 must be on the test class path).
     *
     * @return this builder
     */
    public Builder h2() {
      this.freshH2 = true;
      this.dataSource = null;
      return this;
    }

    /**
     * Uses a data source of your own (shared by the tests; wrapped anew for each).
     *
     * @param dataSource the real data source
     * @return this builder
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.freshH2 = false;
      return this;
    }

    /**
     * Statements run before each test on the real data source (tables, rows), with autocommit.
     *
     * @param statements the statements
     * @return this builder
     */
    public Builder schema(String... statements) {
      for (String s : statements) {
        schema.add(Objects.requireNonNull(s, "statement"));
      }
      return this;
    }

    /**
     * Adjusts the builder of each test's {@link Transactions} (defaults, rules, more listeners).
     *
     * @param customizer what to do to the builder
     * @return this builder
     */
    public Builder transactions(Consumer<Transactions.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /**
     * Builds the extension.
     *
     * @return the extension
     * @throws IllegalStateException if neither {@link #h2()} nor {@link #dataSource} was chosen
     */
    public TxkitExtension build() {
      if (!freshH2 && dataSource == null) {
        throw new IllegalStateException("Choose a database: TxkitExtension.builder().h2() for a fresh H2 database "
            + "per test, or .dataSource(ds)");
      }
      return new TxkitExtension(this);
    }
  }

  /** A data source over DriverManager, for the fresh H2 databases. */
  private static final class UrlDataSource implements DataSource {
    private final String url;

    UrlDataSource(String url) {
      this.url = url;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return DriverManager.getConnection(url, username, password);
    }

    @Override
    public @Nullable PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }

    @Override
    public String toString() {
      return url;
    }
  }
}
