package dev.txkit.testing;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_NOT_AVAILABLE;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.OTHER;
import static dev.txkit.FailureKind.OUTCOME_UNKNOWN;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.testing.ServerEffect.CONNECTION_GONE;
import static dev.txkit.testing.ServerEffect.TRANSACTION_ABORTED;

import dev.txkit.FailureKind;
import dev.txkit.jdbc.Database;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's failures as pgjdbc 42.7 reports them (always a {@code PSQLException}, vendor code 0; server errors
 * carry the server's message, client-side ones pgjdbc's own), also used for CockroachDB and YugabyteDB, which
 * speak the same protocol, after their own entries. Measured entries were produced against PostgreSQL 15 by
 * {@code PostgresCatalogueIT}; for CockroachDB and YugabyteDB nothing is measured here.
 */
final class PostgresEntries {

  private static final String PG = "org.postgresql.util.PSQLException";
  private static final String SQL = "java.sql.SQLException";

  private PostgresEntries() {
  }

  static void add(Database db, List<Failure> out) {
    if (db == Database.COCKROACHDB) {
      out.add(server(db, "serializationFailure", SERIALIZATION_FAILURE, "40001",
          "restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError",
          "restart transaction", null, false,
          "any retryable CockroachDB error (RETRY_SERIALIZABLE, RETRY_WRITE_TOO_OLD, ABORT_REASON_*, "
              + "ReadWithinUncertaintyInterval); the transaction is aborted until ROLLBACK; from CockroachDB's "
              + "documentation, unverified here"));
      out.add(server(db, "outcomeUnknown", OUTCOME_UNKNOWN, "40003",
          "result is ambiguous (error=rpc error: code = Unavailable)", "result is ambiguous", null, false,
          "the commit may or may not have happened; from CockroachDB's documentation, unverified here"));
    } else if (db == Database.YUGABYTEDB) {
      out.add(server(db, "readRestart", SERIALIZATION_FAILURE, "40001",
          "Restart read required at: read: { physical: 1700000000000000 }", "Restart read required", null,
          false, "YSQL read restart; from YugabyteDB's documentation, unverified here"));
    }
    boolean here = db == Database.POSTGRESQL;
    Set<String> taken = new HashSet<>();
    for (Failure f : out) {
      taken.add(f.name());
    }
    for (Failure f : postgres(db, here)) {
      if (taken.add(f.name())) {
        out.add(f);
      }
    }
  }

  private static List<Failure> postgres(Database db, boolean here) {
    return List.of(
        server(db, "deadlock", DEADLOCK, "40P01", "deadlock detected", "deadlock detected",
            "Process 4242 waits for ShareLock on transaction 1001; blocked by process 4243.", here,
            "deadlock victim, found after deadlock_timeout of waiting"),
        server(db, "serializationFailure", SERIALIZATION_FAILURE, "40001",
            "could not serialize access due to concurrent update",
            "could not serialize access due to concurrent update", null, here,
            "write to a row changed since the snapshot (REPEATABLE READ or SERIALIZABLE)"),
        server(db, "serializableConflict", SERIALIZATION_FAILURE, "40001",
            "could not serialize access due to read/write dependencies among transactions",
            "could not serialize access due to read/write dependencies among transactions",
            "Reason code: Canceled on identification as a pivot, during write.", here,
            "SERIALIZABLE (SSI) conflict such as write skew, raised by a statement or by COMMIT"),
        server(db, "lockTimeout", LOCK_TIMEOUT, "55P03", "canceling statement due to lock timeout",
            "canceling statement due to lock timeout", null, here, "lock_timeout expired"),
        server(db, "lockNotAvailable", LOCK_NOT_AVAILABLE, "55P03",
            "could not obtain lock on row in relation \"t\"", "could not obtain lock", null, here,
            "FOR UPDATE NOWAIT (or LOCK ... NOWAIT) found the lock taken"),
        server(db, "queryTimeout", QUERY_TIMEOUT, "57014", "canceling statement due to statement timeout",
            "canceling statement due to statement timeout", null, here, "statement_timeout expired"),
        server(db, "queryCancelled", QUERY_TIMEOUT, "57014", "canceling statement due to user request",
            "canceling statement due to user request", null, here,
            "cancel request (pg_cancel_backend, Statement.cancel, pgjdbc's setQueryTimeout timer)"),
        server(db, "uniqueViolation", CONSTRAINT_VIOLATION, "23505",
            "duplicate key value violates unique constraint \"t_pkey\"",
            "duplicate key value violates unique constraint", "Key (id)=(1) already exists.", here,
            "unique or primary key violation"),
        server(db, "exclusionViolation", CONSTRAINT_VIOLATION, "23P01",
            "conflicting key value violates exclusion constraint \"t_no_overlap\"",
            "violates exclusion constraint", null, here, "exclusion constraint violation"),
        server(db, "notNullViolation", CONSTRAINT_VIOLATION, "23502",
            "null value in column \"v\" of relation \"t\" violates not-null constraint",
            "violates not-null constraint", null, here, "NOT NULL violation"),
        server(db, "inFailedTransaction", OTHER, "25P02",
            "current transaction is aborted, commands ignored until end of transaction block",
            "current transaction is aborted", null, here,
            "what every statement of an aborted transaction gets until ROLLBACK; pgjdbc attaches the failure that "
                + "aborted the transaction as its cause"),
        client(db, "connectionLost", "08006", "An I/O error occurred while sending to the backend.",
            "An I/O error occurred while", here, "the socket broke (network failure, server gone)"),
        client(db, "connectionClosed", "08003", "This connection has been closed.",
            "This connection has been closed", here, "any call on a connection pgjdbc knows is broken or closed"),
        fatal(db, "connectionKilled", "57P01", "terminating connection due to administrator command",
            "terminating connection due to administrator command", here,
            "pg_terminate_backend or a fast shutdown, reported on the next call (the error waited in the socket)"),
        fatal(db, "idleInTransactionTimeout", "25P03", "terminating connection due to idle-in-transaction timeout",
            "idle-in-transaction timeout", here, "idle_in_transaction_session_timeout expired"),
        fatal(db, "transactionTimeout", "25P04", "terminating connection due to transaction timeout",
            "terminating connection due to transaction timeout", false,
            "transaction_timeout expired (PostgreSQL 17; this machine runs 15): unverified here"),
        fatal(db, "crashShutdown", "57P02", "terminating connection because of crash of another server process",
            "because of crash of another server process", false,
            "another backend crashed and the server restarts: from PostgreSQL's documentation, unverified here"),
        fatal(db, "cannotConnectNow", "57P03", "the database system is shutting down",
            "the database system is", false,
            "starting up, shutting down or in recovery (at connect): from PostgreSQL's documentation, unverified"
                + " here"),
        client(db, "connectionRefused", "08001",
            "Connection to 127.0.0.1:5432 refused. Check that the hostname and port are correct and that the "
                + "postmaster is accepting TCP/IP connections.", "refused. Check that the hostname and port", here,
            "nothing listens at the address (at getConnection)"),
        client(db, "connectionRejected", "08004", "The server does not support SSL.",
            "The server does not support SSL", false,
            "the server refused the connection's setup: from pgjdbc's source, unverified here"),
        client(db, "connectionFailureDuringTransaction", "08007", "Connection failure during transaction.",
            "Connection failure during transaction", false, "from pgjdbc's source, unverified here"),
        client(db, "communicationError", "08S01", "Communication error.", "Communication error", false,
            "from pgjdbc's source, unverified here"),
        client(db, "protocolViolation", "08P01", "Protocol error.  Session setup failed.", "Protocol error",
            false, "a message pgjdbc could not understand: from pgjdbc's source, unverified here"));
  }

  /** An ERROR from the server: the transaction is aborted until ROLLBACK. */
  private static Failure server(Database db, String name, FailureKind kind, String state, String message,
      String fragment, @Nullable String detail, boolean measured, String about) {
    return Catalogue.entry(db, name, kind, TRANSACTION_ABORTED).thrown(PG, SQL).codes(state, 0)
        .server("ERROR", detail).message(message, fragment).measured(measured).about(about).build();
  }

  /** A FATAL from the server: it closes the connection. */
  private static Failure fatal(Database db, String name, String state, String message, String fragment,
      boolean measured, String about) {
    return Catalogue.entry(db, name, CONNECTION_LOST, CONNECTION_GONE).thrown(PG, SQL).codes(state, 0)
        .server("FATAL", null).message(message, fragment).measured(measured).about(about).build();
  }

  /** A connection failure pgjdbc detects itself. */
  private static Failure client(Database db, String name, String state, String message, String fragment,
      boolean measured, String about) {
    return Catalogue.entry(db, name, CONNECTION_LOST, CONNECTION_GONE)
        .thrown(PG, "java.sql.SQLNonTransientConnectionException").codes(state, 0).message(message, fragment)
        .measured(measured).about(about).build();
  }
}
