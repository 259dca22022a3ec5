package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.DatabaseFailureException;
import dev.txkit.jdbc.Database;
import dev.txkit.spi.CommitResolution;
import dev.txkit.spi.ResourceTransaction;
import dev.txkit.spi.TransactionScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt's transaction on one connection: commit or roll back, savepoints, then restore exactly what
 * {@link JdbcResource#begin} changed and return the connection, or discard it when its state is unknown. The
 * engine calls it in a checked order; its own state is how far the end got ({@link End}) and what the session
 * needs undone ({@link #cleanupNeeded}).
 */
public final class JdbcAttempt implements ResourceTransaction {

  /** Cleanup bit: MariaDB/MySQL user locks ({@code GET_LOCK}) were taken and must be released. */
  static final int RELEASE_USER_LOCKS = 1;
  /** Cleanup bit: H2 keeps a statement's query timeout for the whole session; reset it. */
  static final int RESET_QUERY_TIMEOUT = 2;

  private static final Logger LOG = LoggerFactory.getLogger(JdbcAttempt.class);

  /** How far the end of the transaction got. */
  private enum End {
    /** Neither commit nor rollback went through. */
    OPEN,
    /** COMMIT was sent: if its reply is lost, the outcome is unknown. */
    COMMIT_SENT,
    /** COMMIT or ROLLBACK went through: the session has no open transaction. */
    FINISHED,
    /** The connection was handed back (or discarded). */
    CLOSED
  }

  private final JdbcResource resource;
  private final Connection connection;
  private final Dialect dialect;
  private final TransactionScope<JdbcAttempt> scope;
  private final boolean restoreAutoCommit;
  private final int restoreIsolation;
  private final boolean restoreReadOnly;
  private End end = End.OPEN;
  private int cleanups;
  /** Whether the transaction's id was recorded before COMMIT, for resolving a lost reply. */
  private boolean idRecorded;
  private @Nullable String transactionId;
  private @Nullable Connection managed;
  private @Nullable Throwable statementFailure;

  JdbcAttempt(JdbcResource resource, Connection connection, Dialect dialect, TransactionScope<JdbcAttempt> scope,
      boolean restoreAutoCommit, int restoreIsolation, boolean restoreReadOnly) {
    this.resource = resource;
    this.connection = connection;
    this.dialect = dialect;
    this.scope = scope;
    this.restoreAutoCommit = restoreAutoCommit;
    this.restoreIsolation = restoreIsolation;
    this.restoreReadOnly = restoreReadOnly;
  }

  /** @return the raw connection */
  public Connection connection() {
    return connection;
  }

  Dialect dialect() {
    return dialect;
  }

  /** @return the database */
  Database database() {
    return dialect.database;
  }

  JdbcResource resource() {
    return resource;
  }

  /** @return the attempt's outermost block */
  TransactionScope<JdbcAttempt> scope() {
    return scope;
  }

  @Nullable Connection managed() {
    return managed;
  }

  void managed(Connection managed) {
    this.managed = managed;
  }

  /**
   * Remembers what the session needs undone before the connection goes back to the pool.
   *
   * @param bit {@link #RELEASE_USER_LOCKS} or {@link #RESET_QUERY_TIMEOUT}
   */
  void cleanupNeeded(int bit) {
    cleanups |= bit;
  }

  void execute(String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }

  @Override
  public void statementFailed(Throwable failure, Classification classification) {
    if (statementFailure == null && dialect.abortsTransactionOnStatementFailure()) {
      statementFailure = failure;
    }
  }

  /**
   * After a statement failed on PostgreSQL (and user code caught it), makes sure the transaction can still
   * commit: one extra round trip, only on that rare path. PostgreSQL answers COMMIT of an aborted transaction
   * with ROLLBACK, which pgjdbc reports as a successful commit (docs/databases.md).
   */
  private void checkNotAborted(Throwable failure) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("SELECT 1");
    } catch (SQLException e) {
      if (!"25P02".equals(e.getSQLState())) {
        throw e;
      }
      SQLException aborted = new SQLException("Transaction '" + scope.transactionName() + "' cannot commit: "
          + "PostgreSQL aborted it when a statement failed ("
          + DatabaseFailureException.excerpt(failure.getMessage()) + ") and the failure was "
          + "caught; its COMMIT would silently roll back. Let the exception propagate, or run the statement that "
          + "may fail in a nested inTransaction block, whose savepoint undoes just that statement", "25P02",
          failure);
      aborted.addSuppressed(e);
      throw aborted;
    }
  }

  @Override
  public void commit() throws SQLException {
    Throwable failed = statementFailure;
    if (failed != null) {
      checkNotAborted(failed);
    }
    String idQuery = resource.resolveCommits() ? dialect.transactionIdQuery() : null;
    if (idQuery != null) {
      try (PreparedStatement ps = connection.prepareStatement(idQuery); ResultSet rs = ps.executeQuery()) {
        rs.next();
        transactionId = rs.getString(1);
        idRecorded = true;
      }
    }
    end = End.COMMIT_SENT;
    connection.commit();
    end = End.FINISHED;
  }

  @Override
  public void rollback() throws SQLException {
    connection.rollback();
    end = End.FINISHED;
  }

  @Override
  public Object setSavepoint() throws SQLException {
    return connection.setSavepoint();
  }

  @Override
  public void rollbackToSavepoint(Object savepoint) throws SQLException {
    connection.rollback((Savepoint) savepoint);
  }

  @Override
  public void releaseSavepoint(Object savepoint) throws SQLException {
    connection.releaseSavepoint((Savepoint) savepoint);
  }

  @Override
  public CommitResolution resolveCommitOutcome() {
    if (end == End.OPEN) {
      // the connection failed before COMMIT was sent (recording the transaction id): nothing committed
      return CommitResolution.NOT_COMMITTED;
    }
    if (!idRecorded) {
      return CommitResolution.UNKNOWN;
    }
    String id = transactionId;
    if (id == null) {
      // no transaction id was assigned: the transaction wrote nothing, so committed or not is the same
      return CommitResolution.COMMITTED;
    }
    try {
      String status = dialect.transactionStatus(resource.dataSource(), id);
      LOG.warn("[{}] COMMIT of '{}' lost its reply; the database reports transaction {} as {}", resource.name(),
          scope.transactionName(), id, status);
      if ("committed".equals(status)) {
        return CommitResolution.COMMITTED;
      }
      if ("aborted".equals(status)) {
        return CommitResolution.NOT_COMMITTED;
      }
      return CommitResolution.UNKNOWN;
    } catch (SQLException | RuntimeException e) {
      LOG.warn("[{}] could not resolve the outcome of a lost COMMIT of '{}'", resource.name(),
          scope.transactionName(), e);
      return CommitResolution.UNKNOWN;
    }
  }

  @Override
  public void close() {
    if (end == End.CLOSED) {
      return;
    }
    End how = end;
    end = End.CLOSED;
    if (how != End.FINISHED) {
      // neither commit nor rollback went through: the session may still hold an open transaction, and turning
      // autocommit back on would commit it on some drivers. Never return such a connection to the pool.
      resource.discard(connection, null);
      return;
    }
    try {
      SessionState.restore(managed, connection);
      if (cleanups != 0) {
        dialect.cleanUp(connection, cleanups);
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
          resource.name(), scope.transactionName(), e.toString());
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
