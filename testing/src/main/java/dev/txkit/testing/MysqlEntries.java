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

import dev.txkit.jdbc.Database;
import java.util.List;

/**
 * MariaDB's failures as MariaDB Connector/J 3.5 reports them (plain {@code java.sql} classes, the message
 * prefixed with {@code (conn=N)}), measured against MariaDB 10.11 by {@code MariadbCatalogueIT}; and MySQL's as
 * Connector/J 8 and 9 report them, written from Connector/J's source (its SQLError and MysqlErrorNumbers) and
 * MySQL's documentation: there is no MySQL server here, so none of MySQL's entries is measured.
 */
final class MysqlEntries {

  private static final String SQL = "java.sql.SQLException";
  private static final String ROLLBACK = "java.sql.SQLTransactionRollbackException";
  private static final String TIMEOUT = "java.sql.SQLTimeoutException";
  private static final String INTEGRITY = "java.sql.SQLIntegrityConstraintViolationException";
  private static final String NON_TRANSIENT_CONNECTION = "java.sql.SQLNonTransientConnectionException";
  private static final String CJ = "com.mysql.cj.jdbc.exceptions.";

  private MysqlEntries() {
  }

  static void mariadb(List<Failure> out) {
    Database db = Database.MARIADB;
    String lockWait = "(conn=7) Lock wait timeout exceeded; try restarting transaction";
    out.add(Catalogue.entry(db, "deadlock", DEADLOCK, TRANSACTION_ROLLED_BACK).thrown(ROLLBACK)
        .codes("40001", 1213)
        .message("(conn=7) Deadlock found when trying to get lock; try restarting transaction",
            "Deadlock found when trying to get lock")
        .measured(true).about("deadlock victim; InnoDB detects it at once").build());
    out.add(Catalogue.entry(db, "serializationFailure", SERIALIZATION_FAILURE, TRANSACTION_ROLLED_BACK)
        .thrown(SQL).codes("HY000", 1020)
        .message("(conn=7) Record has changed since last read in table 't'; try restarting transaction",
            "Record has changed since last read")
        .measured(true).about("write conflict under innodb_snapshot_isolation=ON (REPEATABLE READ)").build());
    out.add(Catalogue.entry(db, "lockTimeout", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK).thrown(SQL)
        .codes("HY000", 1205).message(lockWait, "Lock wait timeout exceeded")
        .measured(true).about("innodb_lock_wait_timeout expired; innodb_rollback_on_timeout is OFF by default, "
            + "so only the statement is undone and the transaction keeps its locks").build());
    out.add(Catalogue.entry(db, "lockNotAvailable", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK).thrown(SQL)
        .codes("HY000", 1205).message(lockWait, "Lock wait timeout exceeded")
        .measured(true).about("FOR UPDATE NOWAIT found the lock taken: MariaDB 10.11 reports it as a lock wait "
            + "timeout at once, never MySQL's 3572, so it is that kind").build());
    out.add(Catalogue.entry(db, "queryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK).thrown(TIMEOUT)
        .codes("70100", 1969)
        .message("(conn=7) Query execution was interrupted (max_statement_time exceeded)",
            "Query execution was interrupted (max_statement_time exceeded)")
        .measured(true).about("max_statement_time expired (MariaDB Connector/J's setQueryTimeout sets it too, from "
            + "its source)").build());
    out.add(Catalogue.entry(db, "queryInterrupted", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK).thrown(TIMEOUT)
        .codes("70100", 1317).message("(conn=7) Query execution was interrupted", "Query execution was interrupted")
        .measured(true).about("KILL QUERY from another session").build());
    out.add(Catalogue.entry(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK).thrown(INTEGRITY)
        .codes("23000", 1062).message("(conn=7) Duplicate entry '1' for key 'PRIMARY'", "Duplicate entry")
        .measured(true).about("unique or primary key violation").build());
    out.add(Catalogue.entry(db, "connectionLost", CONNECTION_LOST, CONNECTION_GONE).thrown(NON_TRANSIENT_CONNECTION)
        .codes("08000", -1).message("(conn=7) Socket error", "Socket error")
        .measured(true).about("the socket broke, or KILL CONNECTION from another session (also while a "
            + "statement runs)").build());
    out.add(Catalogue.entry(db, "connectionClosed", CONNECTION_LOST, CONNECTION_GONE)
        .thrown(NON_TRANSIENT_CONNECTION).codes("08000", 1220).message("(conn=7) Connection is closed",
            "Connection is closed")
        .measured(true).about("any call on a connection the driver knows is broken or closed").build());
    out.add(Catalogue.entry(db, "connectionKilled", CONNECTION_LOST, CONNECTION_GONE).thrown(TIMEOUT)
        .codes("70100", 1927).message("(conn=7) Connection was killed", "Connection was killed")
        .about("ER_CONNECTION_KILLED: from MariaDB's documentation, unverified here (KILL CONNECTION gave a "
            + "socket error in every measurement)").build());
    out.add(Catalogue.entry(db, "galeraDeadlock", DEADLOCK, TRANSACTION_ROLLED_BACK).thrown(ROLLBACK)
        .codes("40001", 1213)
        .message("(conn=7) WSREP detected deadlock/conflict and aborted the transaction. Try restarting the "
            + "transaction", "WSREP detected deadlock/conflict")
        .about("Galera cluster conflict or certification failure: from Galera's documentation, unverified here")
        .build());
    out.add(Catalogue.entry(db, "galeraLockDeadlock", DEADLOCK, TRANSACTION_ROLLED_BACK).thrown(SQL)
        .codes("HY000", 149).message("(conn=7) Lock deadlock; Retry transaction", "Lock deadlock")
        .about("Galera conflict on some versions: from Galera's documentation, unverified here").build());
    out.add(Catalogue.entry(db, "lockTimeoutViaConnectorJ", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK)
        .thrown(CJ + "MySQLTransactionRollbackException", ROLLBACK).codes("40001", 1205)
        .message("Lock wait timeout exceeded; try restarting transaction", "Lock wait timeout exceeded")
        .about("the lock wait timeout through MySQL Connector/J, which rewrites its SQLState to 40001 (from "
            + "Connector/J's source, unverified here)").build());
    // Galera 4 on a three-node cluster, measured by cluster-tests (GaleraFailuresIT, LostCommitIT, FailoverIT)
    out.add(Catalogue.entry(db, "galeraNotPrimary", CONNECTION_LOST, CONNECTION_GONE)
        .thrown(NON_TRANSIENT_CONNECTION).codes("08S01", 1047)
        .message("(conn=12) WSREP has not yet prepared node for application use",
            "WSREP has not yet prepared node for application use")
        .about("a Galera node outside the primary component (lost quorum, or joining): every statement fails, "
            + "pings and logins still work; retry on another node (measured by cluster-tests)").build());
    out.add(Catalogue.entry(db, "galeraQuorumLostAtCommit", OUTCOME_UNKNOWN, TRANSACTION_ROLLED_BACK)
        .thrown(SQL).codes("HY000", 1180)
        .message("(conn=12) Error while appending streaming replication fragment(provider status: Not connected to "
            + "Primary Component)", "provider status")
        .about("the node lost quorum during COMMIT: the transaction is over on this node, but the cluster "
            + "committed it in some runs (measured by cluster-tests: 5 of 13)").build());
    out.add(Catalogue.entry(db, "transactionLostOnReconnect", CONNECTION_LOST, CONNECTION_GONE)
        .thrown("java.sql.SQLTransientConnectionException").codes("25S03", 0)
        .message("Driver has reconnect connection after a communications link failure with 127.0.0.1:4407. In "
            + "progress transaction was lost", "In progress transaction was lost")
        .about("a multi-host URL (sequential, loadbalance) reconnected to another host: the transaction is gone "
            + "(measured by cluster-tests)").build());
  }

  static void mysql(List<Failure> out) {
    Database db = Database.MYSQL;
    String rollback = CJ + "MySQLTransactionRollbackException";
    out.add(Catalogue.entry(db, "deadlock", DEADLOCK, TRANSACTION_ROLLED_BACK).thrown(rollback, ROLLBACK)
        .codes("40001", 1213)
        .message("Deadlock found when trying to get lock; try restarting transaction",
            "Deadlock found when trying to get lock")
        .about("deadlock victim: from Connector/J's source and MySQL's documentation, unverified here").build());
    out.add(Catalogue.entry(db, "lockTimeout", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK).thrown(rollback, ROLLBACK)
        .codes("40001", 1205)
        .message("Lock wait timeout exceeded; try restarting transaction", "Lock wait timeout exceeded")
        .about("innodb_lock_wait_timeout expired; Connector/J rewrites the server's HY000 to 40001 (its "
            + "MysqlErrorNumbers, Bug#16634180), yet only the statement is undone: unverified here").build());
    out.add(Catalogue.entry(db, "lockTimeoutViaMariadbDriver", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK).thrown(SQL)
        .codes("HY000", 1205)
        .message("Lock wait timeout exceeded; try restarting transaction", "Lock wait timeout exceeded")
        .about("the lock wait timeout through MariaDB Connector/J, which keeps the server's HY000: unverified "
            + "here").build());
    out.add(Catalogue.entry(db, "lockNotAvailable", LOCK_NOT_AVAILABLE, STATEMENT_ROLLED_BACK).thrown(SQL)
        .codes("HY000", 3572)
        .message("Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set.",
            "could not be acquired immediately and NOWAIT is set")
        .about("FOR UPDATE NOWAIT (MySQL 8): from MySQL's documentation, unverified here").build());
    out.add(Catalogue.entry(db, "serializationFailure", SERIALIZATION_FAILURE, TRANSACTION_ROLLED_BACK)
        .thrown(rollback, ROLLBACK).codes("40000", 3101)
        .message("Plugin instructed the server to rollback the current transaction.",
            "Plugin instructed the server to rollback the current transaction")
        .about("Group Replication certification conflict at COMMIT: from MySQL's documentation, unverified here")
        .build());
    out.add(Catalogue.entry(db, "queryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK).thrown(SQL)
        .codes("HY000", 3024)
        .message("Query execution was interrupted, maximum statement execution time exceeded",
            "maximum statement execution time exceeded")
        .about("max_execution_time expired (SELECT only): from MySQL's documentation, unverified here").build());
    out.add(Catalogue.entry(db, "queryInterrupted", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK)
        .thrown(CJ + "MySQLQueryInterruptedException", "java.sql.SQLNonTransientException").codes("70100", 1317)
        .message("Query execution was interrupted", "Query execution was interrupted")
        .about("KILL QUERY: from Connector/J's source, unverified here").build());
    out.add(Catalogue.entry(db, "clientQueryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK)
        .thrown(CJ + "MySQLTimeoutException", TIMEOUT).codes(null, 0)
        .message("Statement cancelled due to timeout or client request", "Statement cancelled due to timeout")
        .about("setQueryTimeout expired: Connector/J kills the query and reports no SQLState (from its source, "
            + "unverified here)").build());
    out.add(Catalogue.entry(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK).thrown(INTEGRITY)
        .codes("23000", 1062).message("Duplicate entry '1' for key 't.PRIMARY'", "Duplicate entry")
        .about("unique or primary key violation: unverified here").build());
    out.add(Catalogue.entry(db, "connectionLost", CONNECTION_LOST, CONNECTION_GONE)
        .thrown(CJ + "CommunicationsException", "java.sql.SQLRecoverableException").codes("08S01", 0)
        .message("Communications link failure", "Communications link failure")
        .about("the socket broke: from Connector/J's source, unverified here").build());
    out.add(Catalogue.entry(db, "connectionClosed", CONNECTION_LOST, CONNECTION_GONE)
        .thrown(NON_TRANSIENT_CONNECTION).codes("08003", 0)
        .message("No operations allowed after connection closed.", "No operations allowed after connection closed")
        .about("any call on a closed connection: from Connector/J's source, unverified here").build());
  }
}
