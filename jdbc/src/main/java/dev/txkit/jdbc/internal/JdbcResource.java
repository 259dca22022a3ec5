package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureClassifier;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.Isolation;
import dev.txkit.Ticker;
import dev.txkit.TransactionWarning;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.CommitMarkers;
import dev.txkit.jdbc.Database;
import dev.txkit.spi.TransactionResource;
import dev.txkit.spi.TransactionScope;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC resource: takes connections from a {@link DataSource}, learns the database (its {@link Dialect}) and
 * the connections' default isolation once, and begins attempts.
 *
 * <p>A little over 300 lines: beginning an attempt takes the connection (timing the wait and explaining pool
 * exhaustion), learns the database, runs the self-check once per isolation level and prepares the commit markers;
 * split up, the begin path would be read across several files.
 */
public final class JdbcResource implements TransactionResource<JdbcAttempt> {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcResource.class);
  private static final Executor DIRECT = Runnable::run;

  private final DataSource dataSource;
  private final String name;
  private final List<FailureRule> userRules;
  private final boolean resolveCommits;
  private final @Nullable MarkerTable markers;
  private final Ticker ticker;
  private volatile @Nullable Learned learned;
  private final boolean selfCheck;
  private final Consumer<TransactionWarning> warn;
  private final AtomicBoolean checked = new AtomicBoolean();
  /** Bits (by Isolation ordinal) of the isolation levels already checked once. */
  private volatile int checkedIsolations;
  private final List<TransactionWarning> configurationWarnings = new CopyOnWriteArrayList<>();
  /** The kind (number, text) of each key column {@code lockRows} has seen, by lower-cased "table.column". */
  private final Map<String, Integer> lockColumnKinds = new ConcurrentHashMap<>();

  /** What is learned from the first connection. */
  private static final class Learned {
    final Dialect dialect;
    final FailureClassifier classifier;
    final int defaultIsolation;

    Learned(Dialect dialect, FailureClassifier classifier, int defaultIsolation) {
      this.dialect = dialect;
      this.classifier = classifier;
      this.defaultIsolation = defaultIsolation;
    }
  }

  /**
   * @param dataSource where connections come from
   * @param name the instance's name, the prefix of its log lines
   * @param userRules classification rules tried before the database's
   * @param resolveCommits whether to record transaction ids to resolve unknown commit outcomes
   */
  public JdbcResource(DataSource dataSource, String name, List<FailureRule> userRules, boolean resolveCommits) {
    this(dataSource, name, userRules, resolveCommits, false, w -> { }, null, Ticker.system());
  }

  /**
   * @param dataSource where connections come from
   * @param name the instance's name, the prefix of its log lines
   * @param userRules classification rules tried before the database's
   * @param resolveCommits whether to record transaction ids to resolve unknown commit outcomes
   * @param selfCheck whether to check the driver, pool and database settings once ({@link SelfCheck})
   * @param warn where the self-check's warnings go
   * @param markers the commit-marker resolver's settings, or null for none
   * @param ticker the engine's clock (a lost commit's resolution ends by the call's deadline)
   */
  public JdbcResource(DataSource dataSource, String name, List<FailureRule> userRules, boolean resolveCommits,
      boolean selfCheck, Consumer<TransactionWarning> warn, @Nullable CommitMarkers markers, Ticker ticker) {
    this.dataSource = dataSource;
    this.name = name;
    this.userRules = List.copyOf(userRules);
    this.resolveCommits = resolveCommits;
    this.selfCheck = selfCheck;
    this.warn = warn;
    this.markers = markers == null ? null : new MarkerTable(markers);
    this.ticker = ticker;
  }

  /**
   * What the self-check found so far: the first connection's settings, and each isolation level once used.
   *
   * @return the warnings
   * @throws SQLException if no connection could be taken to check
   */
  public List<TransactionWarning> configurationWarnings() throws SQLException {
    learned();
    return List.copyOf(configurationWarnings);
  }

  private void report(TransactionWarning w) {
    configurationWarnings.add(w);
    try {
      warn.accept(w);
    } catch (RuntimeException e) {
      LOG.warn("[{}] a transaction listener threw; ignored", name, e);
    }
  }

  /** @return the data source */
  public DataSource dataSource() {
    return dataSource;
  }

  /** @return the name used in log lines */
  public String name() {
    return name;
  }

  Map<String, Integer> lockColumnKinds() {
    return lockColumnKinds;
  }

  boolean resolveCommits() {
    return resolveCommits;
  }

  /** @return the commit-marker table, or null when markers are off */
  @Nullable MarkerTable markers() {
    return markers;
  }

  Ticker ticker() {
    return ticker;
  }

  /**
   * The database, learned from the first connection (taking one if none was taken yet).
   *
   * @return the database
   * @throws SQLException if no connection could be taken
   */
  public Database database() throws SQLException {
    return learned().dialect.database;
  }

  private Learned learned() throws SQLException {
    Learned l = learned;
    if (l == null) {
      try (Connection c = dataSource.getConnection()) {
        l = learn(c);
      }
    }
    return l;
  }

  @Override
  public Isolation defaultIsolation() throws SQLException {
    return Isolation.ofJdbcLevel(learned().defaultIsolation);
  }

  private Learned learn(Connection c) throws SQLException {
    Learned l = learned;
    if (l != null) {
      return l;
    }
    DatabaseMetaData md = c.getMetaData();
    Database db = Database.detect(c);
    l = new Learned(Dialect.of(db), db.classifier().withRulesFirst(userRules), c.getTransactionIsolation());
    if (selfCheck && checked.compareAndSet(false, true)) {
      try {
        for (TransactionWarning w : SelfCheck.connection(dataSource, c, db)) {
          report(w);
        }
      } catch (SQLException | RuntimeException e) {
        LOG.debug("[{}] the self-check of the connection's settings failed: {}", name, e.toString());
      }
    }
    learned = l;
    LOG.debug("[{}] detected {} ({}), default isolation {}", name, db, md.getDatabaseProductVersion(),
        l.defaultIsolation);
    return l;
  }

  @Override
  public JdbcAttempt begin(TransactionScope<JdbcAttempt> scope) throws SQLException {
    TxOptions options = scope.options();
    boolean measured = scope.measured();
    long asked = measured ? scope.ticks() : 0L;
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      Classification cl = classify(e);
      if (cl.kind() == FailureKind.POOL_EXHAUSTED) {
        throw DatabaseFailureException.of(exhausted(scope), e, cl);
      }
      throw e;
    } finally {
      if (measured) {
        scope.connectionWaited(scope.ticks() - asked);
      }
    }
    try {
      Learned l = learned;
      if (l == null) {
        l = learn(c);
      }
      Dialect dialect = l.dialect;
      MarkerTable m = markers;
      if (m != null) {
        // before the transaction begins: creating the table commits implicitly
        m.prepare(c, dialect);
      }
      boolean autoCommit = c.getAutoCommit();
      int restoreIsolation = -1;
      Isolation isolation = options.isolation();
      if (isolation != Isolation.DEFAULT && isolation.jdbcLevel() != l.defaultIsolation) {
        // before autocommit is turned off: H2 commits, MariaDB defers and pgjdbc throws otherwise (docs/databases.md)
        c.setTransactionIsolation(isolation.jdbcLevel());
        restoreIsolation = l.defaultIsolation;
        if (selfCheck && (checkedIsolations & (1 << isolation.ordinal())) == 0) {
          checkIsolation(c, l, isolation);
        }
      }
      boolean restoreReadOnly = false;
      if (options.readOnly() && dialect.readOnlyThroughDriver() && !c.isReadOnly()) {
        c.setReadOnly(true);
        restoreReadOnly = true;
      }
      if (autoCommit) {
        c.setAutoCommit(false);
      }
      JdbcAttempt attempt = new JdbcAttempt(this, c, dialect, scope, autoCommit, restoreIsolation, restoreReadOnly);
      if (options.readOnly()) {
        dialect.beginReadOnly(attempt);
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("[{}] begin '{}' attempt {} ({}, readOnly={})", name, options.name(), scope.attempt(), isolation,
            options.readOnly());
      }
      return attempt;
    } catch (SQLException | RuntimeException e) {
      discard(c, e);
      throw e;
    }
  }

  /** Checks an isolation level once per instance: what the database reports, and what it is known to do. */
  private synchronized void checkIsolation(Connection c, Learned l, Isolation isolation) throws SQLException {
    int bit = 1 << isolation.ordinal();
    if ((checkedIsolations & bit) != 0) {
      return;
    }
    checkedIsolations |= bit;
    TransactionWarning w = SelfCheck.isolation(c, l.dialect.database, isolation);
    if (w != null) {
      report(w);
    }
  }

  /** Why no connection came, and what to do: the message of a {@link dev.txkit.PoolExhaustedException}. */
  private String exhausted(TransactionScope<JdbcAttempt> scope) {
    int size = HikariSupport.maximumPoolSize(dataSource);
    int held = scope.otherTransactionsOnThread();
    return "No connection for transaction '" + scope.options().name() + "': "
        + (size > 0 ? "the connection pool is exhausted (size " + size + ")"
            : "the pool or the server's connection limit is exhausted")
        + "; this thread already holds " + held + " of its connections"
        + (held > 0 ? ", for the transaction" + (held > 1 ? "s" : "") + " it runs in: a REQUIRES_NEW transaction "
            + "needs a connection of its own besides its enclosing transaction's"
            : " (other threads hold them; note that a REQUIRES_NEW transaction needs a second connection)")
        + ". Not retried: waiting again would wait as long. Make the pool larger than the connections one thread "
        + "holds at once, or shorten the transactions that hold them";
  }

  @Override
  public Classification classify(Throwable failure) {
    return classifier().classify(failure);
  }

  /** @return the classifier, the database's if known, else the generic one */
  private FailureClassifier classifier() {
    Learned l = learned;
    return l != null ? l.classifier : Database.OTHER.classifier().withRulesFirst(userRules);
  }

  /**
   * Closes a connection whose state is unknown without returning it to the pool as it is.
   *
   * @param c the connection
   * @param why the failure that made its state unknown, for the log
   */
  void discard(Connection c, @Nullable Throwable why) {
    try {
      if (!HikariSupport.evict(dataSource, c)) {
        c.abort(DIRECT);
        c.close();
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("[{}] closing a discarded connection failed", name, e);
    }
    if (why != null) {
      LOG.debug("[{}] discarded a connection after: {}", name, why.toString());
    }
  }
}
