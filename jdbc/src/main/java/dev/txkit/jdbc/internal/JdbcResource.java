package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.FailureClassifier;
import dev.txkit.FailureRule;
import dev.txkit.Isolation;
import dev.txkit.Ticker;
import dev.txkit.TxOptions;
import dev.txkit.internal.AttemptContext;
import dev.txkit.internal.TransactionResource;
import dev.txkit.jdbc.Database;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC resource: takes connections from a {@link DataSource}, learns the database and the connections'
 * default isolation once, and begins attempts.
 */
public final class JdbcResource implements TransactionResource<JdbcAttempt> {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcResource.class);
  private static final Executor DIRECT = Runnable::run;

  private final DataSource dataSource;
  private final String name;
  private final List<FailureRule> userRules;
  private final boolean resolveCommits;
  private final Ticker ticker;
  private final Binding binding = new Binding();
  private volatile @Nullable Learned learned;

  /** What is learned from the first connection. */
  private static final class Learned {
    final Database database;
    final FailureClassifier classifier;
    final int defaultIsolation;

    Learned(Database database, FailureClassifier classifier, int defaultIsolation) {
      this.database = database;
      this.classifier = classifier;
      this.defaultIsolation = defaultIsolation;
    }
  }

  /**
   * @param dataSource where connections come from
   * @param name the instance's name, the prefix of its log lines
   * @param userRules classification rules tried before the database's
   * @param resolveCommits whether to record PostgreSQL transaction ids to resolve unknown commit outcomes
   * @param ticker time source for deadlines
   */
  public JdbcResource(DataSource dataSource, String name, List<FailureRule> userRules, boolean resolveCommits,
      Ticker ticker) {
    this.dataSource = dataSource;
    this.name = name;
    this.userRules = List.copyOf(userRules);
    this.resolveCommits = resolveCommits;
    this.ticker = ticker;
  }

  /** @return the data source */
  public DataSource dataSource() {
    return dataSource;
  }

  /** @return the name used in log lines */
  public String name() {
    return name;
  }

  /** @return the thread binding shared by every {@code Transactions} derived from the same one */
  public Binding binding() {
    return binding;
  }

  Ticker ticker() {
    return ticker;
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
    Learned l = learned;
    if (l == null) {
      try (Connection c = dataSource.getConnection()) {
        l = learn(c);
      }
    }
    return l.database;
  }

  /**
   * The isolation a connection has when txkit did not change it, learned once.
   *
   * @return the isolation
   * @throws SQLException if no connection could be taken
   */
  public Isolation defaultIsolation() throws SQLException {
    Learned l = learned;
    if (l == null) {
      database();
      l = learned;
    }
    return Isolation.ofJdbcLevel(l.defaultIsolation);
  }

  private Learned learn(Connection c) throws SQLException {
    Learned l = learned;
    if (l != null) {
      return l;
    }
    DatabaseMetaData md = c.getMetaData();
    Database db = Database.detect(c);
    FailureClassifier classifier = db.classifier().withRulesFirst(userRules);
    l = new Learned(db, classifier, c.getTransactionIsolation());
    learned = l;
    LOG.debug("[{}] detected {} ({}), default isolation {}", name, db, md.getDatabaseProductVersion(),
        l.defaultIsolation);
    return l;
  }

  @Override
  public JdbcAttempt begin(TxOptions options, AttemptContext context) throws SQLException {
    Connection c = dataSource.getConnection();
    try {
      Learned l = learned;
      if (l == null) {
        l = learn(c);
      }
      Database db = l.database;
      boolean autoCommit = c.getAutoCommit();
      int restoreIsolation = -1;
      Isolation isolation = options.isolation();
      if (isolation != Isolation.DEFAULT && isolation.jdbcLevel() != l.defaultIsolation) {
        // before autocommit is turned off: H2 commits, MariaDB defers and pgjdbc throws otherwise (FACTS.md §3)
        c.setTransactionIsolation(isolation.jdbcLevel());
        restoreIsolation = l.defaultIsolation;
      }
      boolean restoreReadOnly = false;
      if (options.readOnly() && !db.isMysqlFamily() && db != Database.H2 && !c.isReadOnly()) {
        // pgjdbc turns this into BEGIN READ ONLY; other drivers pass it on as the JDBC standard says
        c.setReadOnly(true);
        restoreReadOnly = true;
      }
      if (autoCommit) {
        c.setAutoCommit(false);
      }
      JdbcAttempt attempt = new JdbcAttempt(this, c, db, l.classifier, context, autoCommit, restoreIsolation,
          restoreReadOnly);
      if (options.readOnly() && db.isMysqlFamily()) {
        // Connector/J only treats setReadOnly as a routing hint: enforce it for the next transaction
        attempt.execute("SET TRANSACTION READ ONLY");
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("[{}] begin '{}' attempt {} ({}, readOnly={})", name, options.name(), context.attempt(),
            isolation, options.readOnly());
      }
      return attempt;
    } catch (SQLException | RuntimeException e) {
      discard(c, e);
      throw e;
    }
  }

  @Override
  public Classification classify(Throwable failure) {
    return classifier().classify(failure);
  }

  /** @return the classifier, the database's if known, else the generic one */
  FailureClassifier classifier() {
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
