package dev.txkit.testing;

/**
 * Where in the life of a connection a {@link Fault} can strike. Each point says whether the real call was made
 * when the fault fires (the ground truth the {@link Recorder} keeps).
 */
public enum Point {
  /** {@code DataSource.getConnection()}: no connection is handed out. */
  GET_CONNECTION,
  /** {@code setAutoCommit(false)} on a connection in autocommit mode (the begin of a transaction); not applied. */
  BEGIN,
  /** {@code setTransactionIsolation}; not applied. */
  SET_ISOLATION,
  /** {@code setReadOnly}; not applied. */
  SET_READ_ONLY,
  /** Before a statement runs ({@code execute}, {@code executeQuery}, {@code executeUpdate}...): not applied. */
  STATEMENT_BEFORE,
  /** After a statement ran: its work is applied on the server, then the client sees the error. */
  STATEMENT_AFTER,
  /**
   * {@code executeBatch}: the first {@link Fault#afterRows(int) n} rows are applied (default none), then the
   * failure arrives as a {@link java.sql.BatchUpdateException} with their update counts and the failure in
   * {@code getNextException()}, as drivers report it.
   */
  BATCH,
  /** {@code ResultSet.next()}: count calls with {@link Fault#nth(int)} to fail at the nth row. */
  RESULT_SET_NEXT,
  /** {@code setSavepoint}; not applied. */
  SAVEPOINT_SET,
  /** {@code releaseSavepoint}; not applied. */
  SAVEPOINT_RELEASE,
  /** {@code rollback(Savepoint)}; not applied. */
  SAVEPOINT_ROLLBACK,
  /** Before {@code commit()}: the transaction is not committed (the server rolls it back). */
  COMMIT_BEFORE,
  /**
   * After {@code commit()} succeeded on the server: the transaction is committed but the client sees the
   * failure, typically a lost connection (use {@link Fault#dropConnection()} or a {@code connectionLost()} payload).
   */
  COMMIT_AFTER,
  /**
   * {@code commit()} really rolls back and reports success, as PostgreSQL does for a {@code COMMIT} of a
   * transaction in the aborted state. Needs no payload.
   */
  COMMIT_SILENT_ROLLBACK,
  /** {@code rollback()}: not applied (the transaction stays open unless the payload is a lost connection). */
  ROLLBACK,
  /** {@code Connection.close()}: the connection is closed (so nothing leaks), then the client sees the error. */
  CLOSE
}
