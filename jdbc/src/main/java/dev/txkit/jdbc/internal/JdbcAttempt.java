package dev.txkit.jdbc.internal;

import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureClassifier;
import dev.txkit.internal.AttemptContext;
import dev.txkit.internal.CommitResolution;
import dev.txkit.internal.ResourceAttempt;
import dev.txkit.jdbc.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt on one connection: commit or roll back, then restore exactly what {@link JdbcResource#begin}
 * changed and return the connection, or discard it when its state is unknown.
 */
public final class JdbcAttempt implements ResourceAttempt {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcAttempt.class);

  private final JdbcResource resource;
  private final Connection connection;
  private final Database database;
  private final FailureClassifier classifier;
  private final AttemptContext context;
  private final boolean restoreAutoCommit;
  private final int restoreIsolation;
  private final boolean restoreReadOnly;
  private boolean finished;
  private boolean closed;
  private boolean releaseUserLocks;
  private boolean resetQueryTimeout;
  private boolean xidCaptured;
  private boolean commitSent;
  private @Nullable String xid;
  private @Nullable Connection managed;
  private @Nullable SQLException statementFailure;

  JdbcAttempt(JdbcResource resource, Connection connection, Database database, FailureClassifier classifier,
      AttemptContext context, boolean restoreAutoCommit, int restoreIsolation, boolean restoreReadOnly) {
    this.resource = resource;
    this.connection = connection;
    this.database = database;
    this.classifier = classifier;
    this.context = context;
    this.restoreAutoCommit = restoreAutoCommit;
    this.restoreIsolation = restoreIsolation;
    this.restoreReadOnly = restoreReadOnly;
  }

  /** @return the raw connection */
  public Connection connection() {
    return connection;
  }

  /** @return the database */
  public Database database() {
    return database;
  }

  /** @return the attempt's state */
  public AttemptContext context() {
    return context;
  }

  FailureClassifier classifier() {
    return classifier;
  }

  JdbcResource resource() {
    return resource;
  }

  @Nullable Connection managed() {
    return managed;
  }

  void managed(Connection managed) {
    this.managed = managed;
  }

  /**
   * Remembers that a statement's query timeout was set on H2, which keeps it as a setting of the whole session
   * ({@code SET QUERY_TIMEOUT}): it must be reset before the connection goes back to the pool.
   */
  void sessionQueryTimeoutSet() {
    resetQueryTimeout = true;
  }

  /** Remembers that MariaDB/MySQL user locks were taken and must be released when the attempt ends. */
  void userLocksTaken() {
    releaseUserLocks = true;
  }

  /**
   * Remembers a statement-scope failure. On PostgreSQL it leaves the transaction aborted until a rollback (to a
   * savepoint taken before it), and a COMMIT is then answered with ROLLBACK, which pgjdbc does not report.
   */
  void statementFailed(SQLException e) {
    if (statementFailure == null && database.isPostgresFamily()) {
      statementFailure = e;
    }
  }

  /**
   * After a statement failed on PostgreSQL (and user code caught it), makes sure the transaction can still
   * commit: one extra round trip, only on that rare path.
   */
  private void checkNotAborted(SQLException failure) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("SELECT 1");
    } catch (SQLException e) {
      if (!"25P02".equals(e.getSQLState())) {
        throw e;
      }
      SQLException aborted = new SQLException("Transaction '" + context.options().name() + "' cannot commit: "
          + "PostgreSQL aborted it when a statement failed ("
          + DatabaseFailureException.excerpt(failure.getMessage()) + ") and the failure was "
          + "caught; its COMMIT would silently roll back. Let the exception propagate, or run the statement that "
          + "may fail in a nested inTransaction block, whose savepoint undoes just that statement", "25P02",
          failure);
      aborted.addSuppressed(e);
      throw aborted;
    }
  }

  void execute(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }

  @Override
  public void commit() throws SQLException {
    if (statementFailure != null) {
      checkNotAborted(statementFailure);
    }
    if (resource.resolveCommits() && database == Database.POSTGRESQL) {
      // a cheap local id of the transaction, so that a lost COMMIT reply can be resolved later (FACTS.md §2)
      try (PreparedStatement ps = connection.prepareStatement("SELECT pg_current_xact_id_if_assigned()::text");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        xid = rs.getString(1);
        xidCaptured = true;
      }
    }
    commitSent = true;
    connection.commit();
    finished = true;
  }

  @Override
  public void rollback() throws SQLException {
    connection.rollback();
    finished = true;
  }

  @Override
  public CommitResolution resolveCommitOutcome() {
    if (!commitSent) {
      // the connection failed before COMMIT was sent (recording the transaction id): nothing committed
      return CommitResolution.NOT_COMMITTED;
    }
    if (!xidCaptured) {
      return CommitResolution.UNKNOWN;
    }
    if (xid == null) {
      // no transaction id was assigned: the transaction wrote nothing, so committed or not is the same
      return CommitResolution.COMMITTED;
    }
    try (Connection c = resource.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT pg_xact_status(?::xid8)")) {
      ps.setString(1, xid);
      try (ResultSet rs = ps.executeQuery()) {
        String status = rs.next() ? rs.getString(1) : null;
        LOG.warn("[{}] COMMIT of '{}' lost its reply; pg_xact_status({}) = {}", resource.name(),
            context.options().name(), xid, status);
        if ("committed".equals(status)) {
          return CommitResolution.COMMITTED;
        }
        if ("aborted".equals(status)) {
          return CommitResolution.NOT_COMMITTED;
        }
        return CommitResolution.UNKNOWN;
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("[{}] could not resolve the outcome of a lost COMMIT of '{}'", resource.name(),
          context.options().name(), e);
      return CommitResolution.UNKNOWN;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!finished) {
      // neither commit nor rollback went through: the session may still hold an open transaction, and turning
      // autocommit back on would commit it on some drivers. Never return such a connection to the pool.
      resource.discard(connection, null);
      return;
    }
    try {
      SessionState.restore(managed, connection);
      if (releaseUserLocks) {
        execute("SELECT RELEASE_ALL_LOCKS()");
      }
      if (resetQueryTimeout) {
        try (Statement st = connection.createStatement()) {
          st.setQueryTimeout(0);
        }
      }
      if (restoreAutoCommit) {
        connection.setAutoCommit(true);
      }
      if (restoreIsolation != -1) {
        connection.setTransactionIsolation(restoreIsolation);
      }
      if (restoreReadOnly) {
        connection.setReadOnly(false);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("[{}] could not restore the connection's state after '{}'; discarding the connection: {}",
          resource.name(), context.options().name(), e.toString());
      resource.discard(connection, e);
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("[{}] closing the connection failed: {}", resource.name(), e.toString());
    }
  }
}
