package dev.txkit.jdbc.internal;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_NOT_AVAILABLE;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.OUTCOME_UNKNOWN;
import static dev.txkit.FailureKind.POOL_EXHAUSTED;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.FailureScope.STATEMENT;
import static dev.txkit.FailureScope.TRANSACTION;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The classification tables, per database (the failures of docs/databases.md), followed by generic SQLState
 * rules.
 *
 * <p>Within a table, rules on a vendor code come before rules on a SQLState alone, because drivers rewrite
 * SQLStates: MySQL Connector/J reports the statement-scope lock wait timeout 1205 as SQLState 40001, which the
 * generic rules would take for a rolled-back transaction. Vendor-code rules leave the SQLState open (null)
 * where drivers disagree on it; the description names what each driver reports. These rules are not the
 * vendor truth they are tested against: the test kit's catalogue of failures (testing module, written by hand
 * and measured against the real servers) is, and its {@code CatalogueTest} checks that every row here
 * classifies the catalogue's entries with their kind and with the scope their server effect implies.
 *
 * <p>Long because it is data: one table per database, each row described.
 */
public final class ClassificationTables {

  private ClassificationTables() {
  }

  /** Rules that hold for every database, tried after the database's own. */
  static final List<FailureRule> GENERIC = List.of(
      // a pool that has no connection to hand out: whatever the database, and never a lost connection
      rule(null, null, "connection is not available, request timed out", POOL_EXHAUSTED, TRANSACTION,
          "HikariCP: no connection became free within connectionTimeout (SQLTransientConnectionException, no "
              + "SQLState): the pool is exhausted"),
      rule("08001", 8001, "login timeout", POOL_EXHAUSTED, TRANSACTION,
          "H2's JdbcConnectionPool: no connection became free within the login timeout (08001/8001 'Login "
              + "timeout'): the pool is exhausted"),
      FailureRule.ofSqlState("40001", SERIALIZATION_FAILURE, TRANSACTION,
          "serialization failure (SQL standard 40001): the transaction was rolled back"),
      FailureRule.ofSqlState("40P01", DEADLOCK, TRANSACTION,
          "deadlock detected (40P01): the transaction was rolled back"),
      FailureRule.ofSqlState("40003", OUTCOME_UNKNOWN, TRANSACTION,
          "statement completion unknown (SQL standard 40003)"),
      FailureRule.ofSqlState("40*", SERIALIZATION_FAILURE, TRANSACTION,
          "transaction rollback (SQLState class 40): the transaction was rolled back"),
      FailureRule.ofSqlState("08*", CONNECTION_LOST, TRANSACTION,
          "connection exception (SQLState class 08): the connection and its transaction are gone"),
      FailureRule.ofSqlState("57014", QUERY_TIMEOUT, STATEMENT, "query cancelled (57014)"),
      FailureRule.ofSqlState("23*", CONSTRAINT_VIOLATION, STATEMENT,
          "integrity constraint violation (SQLState class 23)"),
      FailureRule.ofSqlState("07*", FailureKind.OTHER, STATEMENT,
          "dynamic SQL error (SQLState class 07), e.g. a parameter left unset: a mistake in the call, not a lost "
              + "connection, although MariaDB Connector/J throws it as SQLTransientConnectionException (07004)"));

  /**
   * The rules for a database, its own first, then the generic ones. A rule with exactly the same conditions as
   * an earlier one could never match and is left out.
   *
   * @param db the database
   * @return the rules, in order
   */
  public static List<FailureRule> rulesFor(Database db) {
    return concat(own(db), GENERIC);
  }

  /**
   * The rules specific to a database (without the generic ones).
   *
   * @param db the database
   * @return the rules
   */
  public static List<FailureRule> own(Database db) {
    switch (db) {
      case POSTGRESQL:
        return POSTGRESQL;
      case YUGABYTEDB:
        return YUGABYTEDB;
      case COCKROACHDB:
        return COCKROACHDB;
      case MARIADB:
        return MARIADB;
      case MYSQL:
        return MYSQL;
      case H2:
        return H2;
      case ORACLE:
        return ORACLE;
      case SQL_SERVER:
        return SQL_SERVER;
      case DB2:
        return DB2;
      case SQLITE:
        return SQLITE;
      default:
        return List.of();
    }
  }

  // PostgreSQL (pgjdbc throws only PSQLException, so the SQLState is all there is; vendor code is 0).
  static final List<FailureRule> POSTGRESQL = List.of(
      FailureRule.ofSqlState("53300", POOL_EXHAUSTED, TRANSACTION,
          "too many connections (53300; max_connections, or a role's or database's CONNECTION LIMIT): the server "
              + "refuses another connection"),
      FailureRule.ofSqlState("40001", SERIALIZATION_FAILURE, TRANSACTION,
          "could not serialize access (SERIALIZABLE or REPEATABLE READ; SERIALIZABLE can raise it at COMMIT): "
              + "the transaction was rolled back"),
      FailureRule.ofSqlState("40P01", DEADLOCK, TRANSACTION,
          "deadlock detected (after deadlock_timeout): the transaction was rolled back (inside a savepoint only "
              + "back to it, but txkit retries the whole transaction)"),
      rule("55P03", null, "lock timeout", LOCK_TIMEOUT, STATEMENT,
          "canceling statement due to lock timeout (lock_timeout): the transaction is in failed state (25P02) "
              + "until rolled back"),
      FailureRule.ofSqlState("55P03", LOCK_NOT_AVAILABLE, STATEMENT,
          "could not obtain lock (NOWAIT, or lock_timeout with a translated message): the transaction is in "
              + "failed state (25P02) until rolled back"),
      FailureRule.ofSqlState("57014", QUERY_TIMEOUT, STATEMENT,
          "canceling statement due to statement timeout or user request (statement_timeout, setQueryTimeout): "
              + "the transaction is in failed state"),
      FailureRule.ofSqlState("23505", CONSTRAINT_VIOLATION, STATEMENT,
          "duplicate key value violates unique constraint: the transaction is in failed state; retried only "
              + "when the caller adds a rule for it"),
      FailureRule.ofSqlState("23P01", CONSTRAINT_VIOLATION, STATEMENT,
          "conflicting key value violates exclusion constraint: the transaction is in failed state"),
      FailureRule.ofSqlState("23*", CONSTRAINT_VIOLATION, STATEMENT,
          "integrity constraint violation (not null, foreign key, check): the transaction is in failed state"),
      FailureRule.ofSqlState("25P03", CONNECTION_LOST, TRANSACTION,
          "terminating connection due to idle-in-transaction timeout: the server closed the connection"),
      FailureRule.ofSqlState("25P04", CONNECTION_LOST, TRANSACTION,
          "terminating connection due to transaction timeout (PostgreSQL 17 transaction_timeout): the server "
              + "closed the connection"),
      FailureRule.ofSqlState("57P01", CONNECTION_LOST, TRANSACTION,
          "terminating connection due to administrator command (pg_terminate_backend, shutdown): the "
              + "connection is gone"),
      FailureRule.ofSqlState("57P02", CONNECTION_LOST, TRANSACTION,
          "terminating connection due to crash of another server process: the connection is gone"),
      FailureRule.ofSqlState("57P03", CONNECTION_LOST, TRANSACTION,
          "the database system is starting up, shutting down or in recovery: cannot connect now"),
      FailureRule.ofSqlState("08001", CONNECTION_LOST, TRANSACTION,
          "unable to connect (pgjdbc 08001); a retry connects anew"),
      FailureRule.ofSqlState("08003", CONNECTION_LOST, TRANSACTION,
          "this connection has been closed (pgjdbc 08003)"),
      FailureRule.ofSqlState("08004", CONNECTION_LOST, TRANSACTION,
          "the server rejected the connection (pgjdbc 08004)"),
      FailureRule.ofSqlState("08006", CONNECTION_LOST, TRANSACTION,
          "an I/O error occurred while sending to or reading from the backend (pgjdbc 08006); during COMMIT the "
              + "outcome is unknown"),
      FailureRule.ofSqlState("08007", CONNECTION_LOST, TRANSACTION,
          "connection failure during transaction (pgjdbc 08007); during COMMIT the outcome is unknown"),
      FailureRule.ofSqlState("08S01", CONNECTION_LOST, TRANSACTION,
          "communication link failure (pgjdbc 08S01); during COMMIT the outcome is unknown"),
      FailureRule.ofSqlState("08*", CONNECTION_LOST, TRANSACTION,
          "connection exception (class 08): the connection and its transaction are gone"));

  // CockroachDB: any error aborts the transaction, and retryable ones say so with 40001.
  static final List<FailureRule> COCKROACHDB = concat(List.of(
      FailureRule.ofSqlState("40001", SERIALIZATION_FAILURE, TRANSACTION,
          "restart transaction (TransactionRetryWithProtoRefreshError: RETRY_SERIALIZABLE, RETRY_WRITE_TOO_OLD, "
              + "ABORT_REASON_*, ReadWithinUncertaintyInterval): the transaction was aborted"),
      FailureRule.ofSqlState("40003", OUTCOME_UNKNOWN, TRANSACTION,
          "result is ambiguous: the commit may or may not have happened")), POSTGRESQL);

  // YugabyteDB YSQL: PostgreSQL's codes, raised in more situations.
  static final List<FailureRule> YUGABYTEDB = concat(List.of(
      FailureRule.ofSqlState("40001", SERIALIZATION_FAILURE, TRANSACTION,
          "serialization failure, read restart required, or conflicting transaction (YSQL): the transaction "
              + "was aborted"),
      FailureRule.ofSqlState("40P01", DEADLOCK, TRANSACTION,
          "deadlock detected (YSQL): the transaction was aborted")), POSTGRESQL);

  // MariaDB Connector/J 3.x (observed against MariaDB 10.11: see docs/databases.md; Galera rows against a three-node
  // Galera 4 cluster: see cluster-tests, GaleraFailuresIT).
  static final List<FailureRule> MARIADB = List.of(
      FailureRule.ofVendorCode(null, 1040, POOL_EXHAUSTED, TRANSACTION,
          "too many connections (1040, max_connections): the server refuses another connection"),
      FailureRule.ofVendorCode(null, 1226, POOL_EXHAUSTED, TRANSACTION,
          "user has exceeded the 'max_user_connections' resource (1226, SQLState 42000): the server refuses "
              + "another connection"),
      FailureRule.ofVendorCode(null, 1213, DEADLOCK, TRANSACTION,
          "deadlock found when trying to get lock (1213, SQLState 40001, SQLTransactionRollbackException); "
              + "also a Galera certification failure, raised by COMMIT with the same message, and a Galera "
              + "brute-force abort (another node's write set took the row), raised by the next statement or "
              + "COMMIT: the transaction was rolled back"),
      FailureRule.ofVendorCode(null, 149, DEADLOCK, TRANSACTION,
          "lock deadlock; retry transaction (149, Galera cluster conflict on some versions): the transaction "
              + "was rolled back"),
      FailureRule.ofVendorCode(null, 1205, LOCK_TIMEOUT, STATEMENT,
          "lock wait timeout exceeded (1205, SQLState HY000, plain SQLException); also what SELECT ... FOR "
              + "UPDATE NOWAIT or WAIT n raise on MariaDB: only the statement was rolled back "
              + "(innodb_rollback_on_timeout=OFF), the transaction is open and keeps its locks"),
      FailureRule.ofVendorCode(null, 1020, SERIALIZATION_FAILURE, TRANSACTION,
          "record has changed since last read (1020, SQLState HY000; innodb_snapshot_isolation=ON): the "
              + "transaction was rolled back"),
      FailureRule.ofVendorCode(null, 1927, CONNECTION_LOST, TRANSACTION,
          "connection was killed (1927, SQLState 70100, which the driver reports as SQLTimeoutException): the "
              + "connection is gone"),
      FailureRule.ofVendorCode(null, 1969, QUERY_TIMEOUT, STATEMENT,
          "query execution was interrupted, max_statement_time exceeded (1969, SQLState 70100, "
              + "SQLTimeoutException; also setQueryTimeout): only the statement was rolled back"),
      FailureRule.ofVendorCode(null, 1317, QUERY_TIMEOUT, STATEMENT,
          "query execution was interrupted (1317, SQLState 70100; KILL QUERY): only the statement was rolled "
              + "back"),
      FailureRule.ofVendorCode(null, 1062, CONSTRAINT_VIOLATION, STATEMENT,
          "duplicate entry for key (1062, SQLState 23000, SQLIntegrityConstraintViolationException): only the "
              + "statement was rolled back"),
      FailureRule.ofVendorCode(null, 1047, CONNECTION_LOST, TRANSACTION,
          "WSREP has not yet prepared node for application use (1047, SQLState 08S01, "
              + "SQLNonTransientConnectionException): the Galera node is not in the primary component (it lost "
              + "quorum, or is joining); the connection still works but every statement fails: retry on "
              + "another node"),
      rule("HY000", 1180, "provider status", OUTCOME_UNKNOWN, TRANSACTION,
          "Galera could not replicate the transaction at COMMIT (1180, SQLState HY000, 'Error while appending "
              + "streaming replication fragment(provider status: Not connected to Primary Component)'; the node "
              + "lost the cluster's quorum during COMMIT): measured to be committed anyway, by the whole cluster, "
              + "in some runs, once the node is back in the primary component, so the outcome is unknown"),
      FailureRule.ofSqlState("25S03", CONNECTION_LOST, TRANSACTION,
          "Connector/J multi-host URL (sequential, loadbalance): the connection failed and the driver "
              + "reconnected to another host (25S03, SQLTransientConnectionException, 'In progress transaction "
              + "was lost'): retry the whole transaction; when it says 'during a COMMIT statement', the COMMIT "
              + "may or may not have happened (outcome unknown)"),
      FailureRule.ofSqlState("08*", CONNECTION_LOST, TRANSACTION,
          "connection exception (class 08, SQLNonTransientConnectionException): the connection is gone"));

  // MySQL, with Connector/J or MariaDB Connector/J.
  static final List<FailureRule> MYSQL = List.of(
      FailureRule.ofVendorCode(null, 1040, POOL_EXHAUSTED, TRANSACTION,
          "too many connections (1040, max_connections): the server refuses another connection"),
      FailureRule.ofVendorCode(null, 1226, POOL_EXHAUSTED, TRANSACTION,
          "user has exceeded the 'max_user_connections' resource (1226, SQLState 42000): the server refuses "
              + "another connection"),
      FailureRule.ofVendorCode(null, 1213, DEADLOCK, TRANSACTION,
          "deadlock found when trying to get lock (1213, SQLState 40001, MySQLTransactionRollbackException); "
              + "also a Galera (Percona XtraDB Cluster) certification failure: the transaction was rolled back"),
      FailureRule.ofVendorCode(null, 1205, LOCK_TIMEOUT, STATEMENT,
          "lock wait timeout exceeded (1205; Connector/J rewrites its SQLState to 40001 and throws "
              + "MySQLTransactionRollbackException, MariaDB Connector/J reports HY000): only the statement was "
              + "rolled back (innodb_rollback_on_timeout=OFF), the transaction is open and keeps its locks"),
      FailureRule.ofVendorCode(null, 3572, LOCK_NOT_AVAILABLE, STATEMENT,
          "statement aborted because lock(s) could not be acquired immediately and NOWAIT is set (3572, SQLState "
              + "HY000): only the statement was rolled back"),
      FailureRule.ofVendorCode(null, 3101, SERIALIZATION_FAILURE, TRANSACTION,
          "plugin instructed the server to rollback the current transaction (3101, SQLState 40000; Group "
              + "Replication certification conflict at commit): the transaction was rolled back"),
      FailureRule.ofVendorCode(null, 3024, QUERY_TIMEOUT, STATEMENT,
          "query execution was interrupted, maximum statement execution time exceeded (3024, SQLState HY000; "
              + "max_execution_time)"),
      FailureRule.ofVendorCode(null, 1317, QUERY_TIMEOUT, STATEMENT,
          "query execution was interrupted (1317, SQLState 70100; KILL QUERY, Connector/J setQueryTimeout)"),
      FailureRule.ofVendorCode(null, 1062, CONSTRAINT_VIOLATION, STATEMENT,
          "duplicate entry for key (1062, SQLState 23000): only the statement was rolled back"),
      FailureRule.ofSqlState("08*", CONNECTION_LOST, TRANSACTION,
          "connection exception (class 08; Connector/J CommunicationsException 08S01): the connection is gone"));

  // H2 2.x: vendor code and SQLState are the same number, except for the lock timeout.
  static final List<FailureRule> H2 = List.of(
      FailureRule.ofVendorCode("40001", 40001, DEADLOCK, TRANSACTION,
          "deadlock detected, also write conflicts under REPEATABLE READ and SERIALIZABLE "
              + "(JdbcSQLTransactionRollbackException 40001/40001): the transaction was rolled back, the "
              + "connection stays usable"),
      new FailureRule("HY000", 50000, "ROLLING_BACK",
          new Classification(DEADLOCK, TRANSACTION),
          "general error 'Transaction was illegally transitioned from ROLLING_BACK to ...' or 'Transaction N has "
              + "status ROLLING_BACK, not OPEN' (HY000/50000): an H2 MVStore race under deadlock storms, still in "
              + "H2 2.5.252 (8 threads, 10 rows: both messages seen in 2.3.232 and 2.5.252, a few runs in a hundred "
              + "of the contention test): the transaction is already being rolled back, so the attempt is over; "
              + "retried like the deadlock it comes from"),
      FailureRule.ofVendorCode("HYT00", 50200, LOCK_TIMEOUT, STATEMENT,
          "timeout trying to lock table (HYT00/50200, a JdbcSQLTimeoutException but not a query timeout; "
              + "LOCK_TIMEOUT, also FOR UPDATE NOWAIT): only the statement was rolled back"),
      FailureRule.ofVendorCode("90131", 90131, SERIALIZATION_FAILURE, STATEMENT,
          "concurrent update in table: another transaction has updated or deleted the same row (90131): only "
              + "the statement was rolled back"),
      FailureRule.ofVendorCode("90067", 90067, CONNECTION_LOST, TRANSACTION,
          "connection is broken (90067, server mode; not SQLState class 08): the connection is gone"),
      FailureRule.ofVendorCode("57014", 57014, QUERY_TIMEOUT, STATEMENT,
          "statement was canceled or the session timed out (57014; setQueryTimeout, QUERY_TIMEOUT)"),
      FailureRule.ofVendorCode("23505", 23505, CONSTRAINT_VIOLATION, STATEMENT,
          "unique index or primary key violation (23505, JdbcSQLIntegrityConstraintViolationException)"));

  // Oracle (ojdbc): the server rolls back the failed statement only, even for a deadlock.
  static final List<FailureRule> ORACLE = List.of(
      FailureRule.ofVendorCode(null, 60, DEADLOCK, STATEMENT,
          "ORA-00060 deadlock detected while waiting for resource (SQLState 61000): only the statement was "
              + "rolled back, the transaction keeps its locks; roll back, then retry"),
      FailureRule.ofVendorCode(null, 8177, SERIALIZATION_FAILURE, STATEMENT,
          "ORA-08177 can't serialize access for this transaction (SERIALIZABLE; SQLState 72000): only the "
              + "statement was rolled back (Oracle lets the transaction go on); roll back, then retry"),
      FailureRule.ofVendorCode(null, 54, LOCK_NOT_AVAILABLE, STATEMENT,
          "ORA-00054 resource busy and acquire with NOWAIT specified or timeout expired (SQLState 61000)"),
      FailureRule.ofVendorCode(null, 30006, LOCK_TIMEOUT, STATEMENT,
          "ORA-30006 resource busy; acquire with WAIT timeout expired"),
      FailureRule.ofVendorCode(null, 1013, QUERY_TIMEOUT, STATEMENT,
          "ORA-01013 user requested cancel of current operation (setQueryTimeout)"),
      FailureRule.ofVendorCode(null, 1, CONSTRAINT_VIOLATION, STATEMENT,
          "ORA-00001 unique constraint violated (SQLState 23000)"),
      FailureRule.ofVendorCode(null, 3113, CONNECTION_LOST, TRANSACTION,
          "ORA-03113 end-of-file on communication channel: the connection is gone"),
      FailureRule.ofVendorCode(null, 3114, CONNECTION_LOST, TRANSACTION,
          "ORA-03114 not connected to ORACLE: the connection is gone"),
      FailureRule.ofVendorCode(null, 3135, CONNECTION_LOST, TRANSACTION,
          "ORA-03135 connection lost contact: the connection is gone"),
      FailureRule.ofVendorCode(null, 17002, CONNECTION_LOST, TRANSACTION,
          "ORA-17002 IO error (ojdbc, SQLState 08006): the connection is gone"),
      FailureRule.ofVendorCode(null, 17008, CONNECTION_LOST, TRANSACTION,
          "ORA-17008 closed connection (ojdbc, SQLState 08003): the connection is gone"));

  // Microsoft SQL Server (mssql-jdbc): SQLState 40001 only for 1205, "S000<state>" for most server errors,
  // and 42000 for everything with xopenStates=true, so the vendor code decides.
  static final List<FailureRule> SQL_SERVER = List.of(
      FailureRule.ofVendorCode(null, 1205, DEADLOCK, TRANSACTION,
          "transaction was deadlocked on lock resources with another process and has been chosen as the "
              + "deadlock victim (1205, SQLState 40001): the transaction was rolled back"),
      FailureRule.ofVendorCode(null, 3960, SERIALIZATION_FAILURE, TRANSACTION,
          "snapshot isolation transaction aborted due to update conflict (3960, SQLState S0001-style): the "
              + "transaction was rolled back"),
      FailureRule.ofVendorCode(null, 1222, LOCK_TIMEOUT, STATEMENT,
          "lock request time out period exceeded (1222, SET LOCK_TIMEOUT; SQLState S0001-style): only the "
              + "statement was cancelled, the transaction is open"),
      FailureRule.ofVendorCode(null, 2627, CONSTRAINT_VIOLATION, STATEMENT,
          "violation of PRIMARY KEY or UNIQUE constraint (2627, SQLState 23000)"),
      FailureRule.ofVendorCode(null, 2601, CONSTRAINT_VIOLATION, STATEMENT,
          "cannot insert duplicate key row in object with unique index (2601, SQLState 23000)"),
      FailureRule.ofVendorCode(null, 547, CONSTRAINT_VIOLATION, STATEMENT,
          "statement conflicted with a FOREIGN KEY or CHECK constraint (547, SQLState 23000)"),
      FailureRule.ofSqlState("HY008", QUERY_TIMEOUT, STATEMENT,
          "the query has timed out or was cancelled (mssql-jdbc HY008)"));

  // IBM Db2 (JCC): the vendor code is the negative SQLCODE.
  static final List<FailureRule> DB2 = List.of(
      FailureRule.ofVendorCode("40001", -911, DEADLOCK, TRANSACTION,
          "SQLCODE -911: deadlock or timeout (reason code 2 or 68), the unit of work was rolled back"),
      FailureRule.ofVendorCode("57033", -913, DEADLOCK, STATEMENT,
          "SQLCODE -913: deadlock or timeout (reason code 2 or 68), only the statement was rolled back; roll "
              + "back, then retry"));

  // SQLite (xerial sqlite-jdbc): SQLState null; getErrorCode() is the primary result code (the driver masks
  // extended codes with 0xff), other drivers report the extended one.
  static final List<FailureRule> SQLITE = List.of(
      FailureRule.ofVendorCode(null, 5, LOCK_TIMEOUT, STATEMENT,
          "[SQLITE_BUSY] the database file is locked (busy_timeout expired): only the statement failed"),
      FailureRule.ofVendorCode(null, 6, LOCK_TIMEOUT, STATEMENT,
          "[SQLITE_LOCKED] a table in the database is locked: only the statement failed"),
      FailureRule.ofVendorCode(null, 261, LOCK_TIMEOUT, STATEMENT,
          "[SQLITE_BUSY_RECOVERY] another connection is recovering the WAL: only the statement failed"),
      FailureRule.ofVendorCode(null, 517, LOCK_TIMEOUT, STATEMENT,
          "[SQLITE_BUSY_SNAPSHOT] the read snapshot is stale and cannot be upgraded to write: only the "
              + "statement failed; roll back, then retry"),
      FailureRule.ofVendorCode(null, 262, LOCK_TIMEOUT, STATEMENT,
          "[SQLITE_LOCKED_SHAREDCACHE] a table is locked by another connection of the shared cache: only the "
              + "statement failed"),
      FailureRule.ofVendorCode(null, 19, CONSTRAINT_VIOLATION, STATEMENT,
          "[SQLITE_CONSTRAINT] a constraint failed (unique, primary key, foreign key, not null, check)"));

  private static FailureRule rule(@Nullable String sqlState, @Nullable Integer vendorCode, String messageContains,
      FailureKind kind, FailureScope scope, String description) {
    return new FailureRule(sqlState, vendorCode, messageContains, new Classification(kind, scope), description);
  }

  /** The rules of {@code first}, then those of {@code then} not shadowed by an identical earlier rule. */
  private static List<FailureRule> concat(List<FailureRule> first, List<FailureRule> then) {
    List<FailureRule> all = new ArrayList<>(first);
    for (FailureRule r : then) {
      boolean shadowed = false;
      for (FailureRule earlier : all) {
        if (Objects.equals(r.sqlState(), earlier.sqlState()) && Objects.equals(r.vendorCode(), earlier.vendorCode())
            && Objects.equals(r.messageContains(), earlier.messageContains())) {
          shadowed = true;
          break;
        }
      }
      if (!shadowed) {
        all.add(r);
      }
    }
    return List.copyOf(all);
  }
}
