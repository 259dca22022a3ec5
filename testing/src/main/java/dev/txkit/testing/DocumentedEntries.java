package dev.txkit.testing;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_NOT_AVAILABLE;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.OUTCOME_UNKNOWN;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.testing.ServerEffect.CONNECTION_GONE;
import static dev.txkit.testing.ServerEffect.STATEMENT_ROLLED_BACK;
import static dev.txkit.testing.ServerEffect.TRANSACTION_ROLLED_BACK;

import dev.txkit.FailureKind;
import dev.txkit.jdbc.Database;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The databases that do not run here: Oracle (ojdbc), SQL Server (mssql-jdbc), Db2 (JCC), SQLite (xerial), and
 * the SQL standard's codes for any other database. Written from the drivers' and databases' documentation;
 * nothing here is measured.
 */
final class DocumentedEntries {

  private static final String SQL = "java.sql.SQLException";
  private static final String ROLLBACK = "java.sql.SQLTransactionRollbackException";
  private static final String TIMEOUT = "java.sql.SQLTimeoutException";
  private static final String INTEGRITY = "java.sql.SQLIntegrityConstraintViolationException";
  private static final String RECOVERABLE = "java.sql.SQLRecoverableException";
  private static final String NON_TRANSIENT_CONNECTION = "java.sql.SQLNonTransientConnectionException";
  private static final String UNVERIFIED = "; from the documentation, unverified here";

  private DocumentedEntries() {
  }

  static void add(Database db, List<Failure> out) {
    switch (db) {
      case ORACLE:
        oracle(out);
        break;
      case SQL_SERVER:
        sqlServer(out);
        break;
      case DB2:
        db2(out);
        break;
      case SQLITE:
        sqlite(out);
        break;
      default:
        standard(db, out);
        break;
    }
  }

  private static void oracle(List<Failure> out) {
    Database db = Database.ORACLE;
    out.add(e(db, "deadlock", DEADLOCK, STATEMENT_ROLLED_BACK, ROLLBACK, ROLLBACK, "61000", 60,
        "ORA-00060: deadlock detected while waiting for resource", "ORA-00060",
        "Oracle rolls back only the statement, even for a deadlock; the transaction keeps its locks"));
    out.add(e(db, "serializationFailure", SERIALIZATION_FAILURE, STATEMENT_ROLLED_BACK, ROLLBACK, ROLLBACK,
        "72000", 8177, "ORA-08177: can't serialize access for this transaction", "ORA-08177",
        "SERIALIZABLE conflict; only the statement is undone, the work before it could still be committed"));
    out.add(e(db, "lockNotAvailable", LOCK_NOT_AVAILABLE, STATEMENT_ROLLED_BACK, SQL, SQL, "61000", 54,
        "ORA-00054: resource busy and acquire with NOWAIT specified or timeout expired", "ORA-00054", "NOWAIT"));
    out.add(e(db, "lockTimeout", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK, SQL, SQL, "61000", 30006,
        "ORA-30006: resource busy; acquire with WAIT timeout expired", "ORA-30006", "FOR UPDATE WAIT n"));
    out.add(e(db, "queryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK, TIMEOUT, TIMEOUT, "72000", 1013,
        "ORA-01013: user requested cancel of current operation", "ORA-01013", "setQueryTimeout or cancel"));
    out.add(e(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK, INTEGRITY, INTEGRITY, "23000", 1,
        "ORA-00001: unique constraint (APP.T_PK) violated", "ORA-00001", "unique constraint violated"));
    out.add(e(db, "connectionLost", CONNECTION_LOST, CONNECTION_GONE, RECOVERABLE, RECOVERABLE, "08006", 17002,
        "IO Error: Connection reset", "IO Error", "ORA-17002, the socket broke"));
    out.add(e(db, "connectionClosed", CONNECTION_LOST, CONNECTION_GONE, RECOVERABLE, RECOVERABLE, "08003", 17008,
        "Closed Connection", "Closed Connection", "ORA-17008, a call on a closed connection"));
    out.add(e(db, "endOfFile", CONNECTION_LOST, CONNECTION_GONE, RECOVERABLE, RECOVERABLE, "08006", 3113,
        "ORA-03113: end-of-file on communication channel", "ORA-03113", "the server process went away"));
    out.add(e(db, "notConnected", CONNECTION_LOST, CONNECTION_GONE, RECOVERABLE, RECOVERABLE, "08003", 3114,
        "ORA-03114: not connected to ORACLE", "ORA-03114", "the session is gone"));
    out.add(e(db, "lostContact", CONNECTION_LOST, CONNECTION_GONE, RECOVERABLE, RECOVERABLE, "08006", 3135,
        "ORA-03135: connection lost contact", "ORA-03135", "the connection lost contact"));
  }

  private static void sqlServer(List<Failure> out) {
    Database db = Database.SQL_SERVER;
    String ms = "com.microsoft.sqlserver.jdbc.SQLServerException";
    String victim = "Transaction (Process ID 52) was deadlocked on lock resources with another process and has "
        + "been chosen as the deadlock victim. Rerun the transaction.";
    out.add(e(db, "deadlock", DEADLOCK, TRANSACTION_ROLLED_BACK, ms, SQL, "40001", 1205, victim,
        "chosen as the deadlock victim", "deadlock victim"));
    out.add(e(db, "deadlockXopenStates", DEADLOCK, TRANSACTION_ROLLED_BACK, ms, SQL, "42000", 1205, victim,
        "chosen as the deadlock victim", "deadlock victim, with the connection property xopenStates=true"));
    out.add(e(db, "serializationFailure", SERIALIZATION_FAILURE, TRANSACTION_ROLLED_BACK, ms, SQL, "S0001", 3960,
        "Snapshot isolation transaction aborted due to update conflict. You cannot use snapshot isolation to "
            + "access table 'dbo.t' directly or indirectly in database 'app' to update, delete, or insert the "
            + "row that has been modified or deleted by another transaction. Retry the transaction or change "
            + "the isolation level for the update/delete statement.",
        "Snapshot isolation transaction aborted due to update conflict", "SNAPSHOT isolation update conflict"));
    out.add(e(db, "lockTimeout", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK, ms, SQL, "S0001", 1222,
        "Lock request time out period exceeded.", "Lock request time out period exceeded",
        "SET LOCK_TIMEOUT expired; only the statement is cancelled, the transaction stays open"));
    out.add(e(db, "queryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK, ms, SQL, "HY008", 0,
        "The query has timed out.", "The query has timed out", "setQueryTimeout expired"));
    out.add(e(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK, ms, SQL, "23000", 2627,
        "Violation of PRIMARY KEY constraint 'PK_t'. Cannot insert duplicate key in object 'dbo.t'. The "
            + "duplicate key value is (1).", "Cannot insert duplicate key", "PRIMARY KEY or UNIQUE constraint"));
    out.add(e(db, "uniqueIndexViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK, ms, SQL, "23000", 2601,
        "Cannot insert duplicate key row in object 'dbo.t' with unique index 'ix_t'. The duplicate key value "
            + "is (1).", "Cannot insert duplicate key row", "unique index"));
    out.add(e(db, "foreignKeyViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK, ms, SQL, "23000", 547,
        "The INSERT statement conflicted with the FOREIGN KEY constraint \"FK_t_p\".", "conflicted with the",
        "FOREIGN KEY or CHECK constraint"));
    out.add(e(db, "connectionLost", CONNECTION_LOST, CONNECTION_GONE, ms, SQL, "08S01", 0,
        "Connection reset by peer", "Connection reset", "the socket broke"));
    out.add(e(db, "connectionClosed", CONNECTION_LOST, CONNECTION_GONE, ms, SQL, "08S01", 0,
        "The connection is closed.", "The connection is closed", "a call on a closed connection"));
  }

  private static void db2(List<Failure> out) {
    Database db = Database.DB2;
    out.add(e(db, "deadlock", DEADLOCK, TRANSACTION_ROLLED_BACK, ROLLBACK, ROLLBACK, "40001", -911,
        "DB2 SQL Error: SQLCODE=-911, SQLSTATE=40001, SQLERRMC=2, DRIVER=4.33.31", "SQLCODE=-911",
        "SQLCODE -911 reason 2: deadlock, the unit of work was rolled back"));
    out.add(e(db, "deadlockStatementOnly", DEADLOCK, STATEMENT_ROLLED_BACK, SQL, SQL, "57033", -913,
        "DB2 SQL Error: SQLCODE=-913, SQLSTATE=57033, SQLERRMC=00C90088, DRIVER=4.33.31", "SQLCODE=-913",
        "SQLCODE -913: deadlock or timeout, only the statement was rolled back"));
    out.add(e(db, "queryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK, TIMEOUT, TIMEOUT, "57014", -952,
        "DB2 SQL Error: SQLCODE=-952, SQLSTATE=57014, SQLERRMC=0, DRIVER=4.33.31", "SQLCODE=-952",
        "processing was cancelled (setQueryTimeout)"));
    out.add(e(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK, INTEGRITY, INTEGRITY, "23505",
        -803, "DB2 SQL Error: SQLCODE=-803, SQLSTATE=23505, SQLERRMC=1;APP.T, DRIVER=4.33.31", "SQLCODE=-803",
        "duplicate key"));
    out.add(e(db, "connectionLost", CONNECTION_LOST, CONNECTION_GONE, NON_TRANSIENT_CONNECTION,
        NON_TRANSIENT_CONNECTION, "08001", -4499,
        "A communication error occurred during operations on the connection's underlying socket, socket input "
            + "stream, or socket output stream.", "A communication error occurred", "ERRORCODE=-4499"));
  }

  private static void sqlite(List<Failure> out) {
    Database db = Database.SQLITE;
    String x = "org.sqlite.SQLiteException";
    out.add(e(db, "lockTimeout", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK, x, SQL, null, 5,
        "[SQLITE_BUSY] The database file is locked (database is locked)", "[SQLITE_BUSY]",
        "busy_timeout expired; xerial reports the primary result code"));
    out.add(e(db, "tableLocked", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK, x, SQL, null, 6,
        "[SQLITE_LOCKED] A table in the database is locked (database table is locked)", "[SQLITE_LOCKED]",
        "a table is locked"));
    out.add(e(db, "busyRecovery", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK, x, SQL, null, 261,
        "[SQLITE_BUSY_RECOVERY] Another process is recovering a WAL mode database file", "SQLITE_BUSY_RECOVERY",
        "extended code, from drivers that report it"));
    out.add(e(db, "busySnapshot", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK, x, SQL, null, 517,
        "[SQLITE_BUSY_SNAPSHOT] Cannot promote read transaction to write transaction because of writes by "
            + "another connection", "SQLITE_BUSY_SNAPSHOT", "stale read snapshot; roll back, then retry"));
    out.add(e(db, "lockedSharedCache", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK, x, SQL, null, 262,
        "[SQLITE_LOCKED_SHAREDCACHE] Contention with a different database connection that shares the cache",
        "SQLITE_LOCKED_SHAREDCACHE", "shared-cache contention"));
    out.add(e(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK, x, SQL, null, 19,
        "[SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed (UNIQUE constraint failed: t.id)",
        "constraint failed", "a constraint failed"));
  }

  /** The SQL standard's SQLState classes (and PostgreSQL's widely copied codes), for any other database. */
  private static void standard(Database db, List<Failure> out) {
    out.add(e(db, "serializationFailure", SERIALIZATION_FAILURE, TRANSACTION_ROLLED_BACK, ROLLBACK, ROLLBACK,
        "40001", 0, "serialization failure", "serialization failure", "SQL standard 40001"));
    out.add(e(db, "deadlock", DEADLOCK, TRANSACTION_ROLLED_BACK, ROLLBACK, ROLLBACK, "40P01", 0,
        "deadlock detected", "deadlock detected", "PostgreSQL's 40P01, which several databases copy"));
    out.add(e(db, "transactionRolledBack", SERIALIZATION_FAILURE, TRANSACTION_ROLLED_BACK, ROLLBACK, ROLLBACK,
        "40000", 0, "transaction rollback", "transaction rollback", "SQL standard class 40"));
    out.add(e(db, "outcomeUnknown", OUTCOME_UNKNOWN, TRANSACTION_ROLLED_BACK, ROLLBACK, ROLLBACK, "40003", 0,
        "statement completion unknown", "statement completion unknown",
        "SQL standard 40003: the transaction is over, whether its last statement completed is unknown"));
    out.add(e(db, "connectionLost", CONNECTION_LOST, CONNECTION_GONE, NON_TRANSIENT_CONNECTION,
        NON_TRANSIENT_CONNECTION, "08006", 0, "connection failure", "connection failure",
        "SQL standard 08006"));
    out.add(e(db, "connectionClosed", CONNECTION_LOST, CONNECTION_GONE, NON_TRANSIENT_CONNECTION,
        NON_TRANSIENT_CONNECTION, "08003", 0, "connection does not exist", "connection does not exist",
        "SQL standard 08003"));
    out.add(e(db, "queryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK, TIMEOUT, TIMEOUT, "57014", 0,
        "query cancelled", "query cancelled", "57014, as PostgreSQL and Db2 report it"));
    out.add(e(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK, INTEGRITY, INTEGRITY, "23505",
        0, "unique violation", "unique violation", "SQL standard class 23"));
  }

  private static Failure e(Database db, String name, FailureKind kind, ServerEffect effect, String driver,
      String standard, @Nullable String state, int code, String message, String fragment, String about) {
    return Catalogue.entry(db, name, kind, effect).thrown(driver, standard).codes(state, code)
        .message(message, fragment).about(about + UNVERIFIED).build();
  }
}
