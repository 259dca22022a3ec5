package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureClassifier;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.Database;
import dev.txkit.spi.TransactionResource;
import dev.txkit.spi.TransactionScope;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC resource: takes connections from a {@link DataSource}, learns the database (its {@link Dialect}) and
 * the connections' default isolation once, and begins attempts.
 */
public final class JdbcResource implements TransactionResource<JdbcAttempt> {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcResource.class);
  private static final Executor DIRECT = Runnable::run;

  private final DataSource dataSource;
  private final String name;
  private final List<FailureRule> userRules;
  private final boolean resolveCommits;
  private volatile @Nullable Learned learned;
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
    this.dataSource = dataSource;
    this.name = name;
    this.userRules = List.copyOf(userRules);
    this.resolveCommits = resolveCommits;
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
    learned = l;
    LOG.debug("[{}] detected {} ({}), default isolation {}", name, db, md.getDatabaseProductVersion(),
        l.defaultIsolation);
    return l;
  }

  @Override
  public JdbcAttempt begin(TransactionScope<JdbcAttempt> scope) throws SQLException {
    TxOptions options = scope.options();
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      Classification cl = classify(e);
      if (cl.kind() == FailureKind.POOL_EXHAUSTED) {
        throw DatabaseFailureException.of(exhausted(scope), e, cl);
      }
      throw e;
    }
    try {
      Learned l = learned;
      if (l == null) {
        l = learn(c);
      }
      Dialect dialect = l.dialect;
      boolean autoCommit = c.getAutoCommit();
      int restoreIsolation = -1;
      Isolation isolation = options.isolation();
      if (isolation != Isolation.DEFAULT && isolation.jdbcLevel() != l.defaultIsolation) {
        // before autocommit is turned off: H2 commits, MariaDB defers and pgjdbc throws otherwise (docs/databases.md)
        c.setTransactionIsolation(isolation.jdbcLevel());
        restoreIsolation = l.defaultIsolation;
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
