package dev.txkit.testing;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.testing.ServerEffect.CONNECTION_GONE;
import static dev.txkit.testing.ServerEffect.STATEMENT_ROLLED_BACK;
import static dev.txkit.testing.ServerEffect.TRANSACTION_ROLLED_BACK;

import dev.txkit.jdbc.Database;
import java.util.List;

/**
 * H2 2.3's failures, its own {@code org.h2.jdbc} exception classes (vendor code and SQLState are the same number
 * except for the lock timeout; the message ends with {@code [code-232]}), measured embedded and in server mode
 * by {@code H2CatalogueIT}.
 */
final class H2Entries {

  private static final String H2 = "org.h2.jdbc.";
  private static final String DEADLOCK_MESSAGE = "Deadlock detected. The current transaction was rolled back. "
      + "Details: \"T\"";
  private static final String DEADLOCK_FRAGMENT = "Deadlock detected. The current transaction was rolled back";

  private H2Entries() {
  }

  static void add(List<Failure> out) {
    Database db = Database.H2;
    out.add(Catalogue.entry(db, "deadlock", DEADLOCK, TRANSACTION_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLTransactionRollbackException", "java.sql.SQLTransactionRollbackException")
        .codes("40001", 40001).message(DEADLOCK_MESSAGE, DEADLOCK_FRAGMENT)
        .measured(true).about("deadlock victim; the connection stays usable").build());
    out.add(Catalogue.entry(db, "serializationFailure", DEADLOCK, TRANSACTION_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLTransactionRollbackException", "java.sql.SQLTransactionRollbackException")
        .codes("40001", 40001).message(DEADLOCK_MESSAGE, DEADLOCK_FRAGMENT)
        .measured(true).about("write conflict under REPEATABLE READ or SERIALIZABLE (a row changed since the "
            + "snapshot): H2 2.3 reports it with exactly the deadlock's exception (only its non-SQL cause "
            + "differs), so it is that kind; the transaction is rolled back and the connection stays usable")
        .build());
    out.add(Catalogue.entry(db, "lockTimeout", LOCK_TIMEOUT, STATEMENT_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLTimeoutException", "java.sql.SQLTimeoutException").codes("HYT00", 50200)
        .message("Timeout trying to lock table \"T\"", "Timeout trying to lock table")
        .measured(true).about("LOCK_TIMEOUT expired, and FOR UPDATE NOWAIT (the same error, at once); a "
            + "SQLTimeoutException, yet not a query timeout").build());
    out.add(Catalogue.entry(db, "concurrentUpdate", SERIALIZATION_FAILURE, STATEMENT_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLTransientException", "java.sql.SQLTransientException").codes("90131", 90131)
        .message("Concurrent update in table \"T\": another transaction has updated or deleted the same row",
            "Concurrent update in table")
        .about("from H2's source: H2 2.3 retries the statement itself and reports a lock timeout when that runs "
            + "out, so applications rarely see it; unverified here").build());
    out.add(Catalogue.entry(db, "rollingBackRace", DEADLOCK, TRANSACTION_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLNonTransientException", "java.sql.SQLNonTransientException").codes("HY000", 50000)
        .message("General error: \"Transaction was illegally transitioned from ROLLING_BACK to ROLLED_BACK "
            + "[2.3.232/103]\"", "illegally transitioned from ROLLING_BACK")
        .about("an MVStore race while a deadlock victim is being rolled back, seen under deadlock storms (the "
            + "contention test, 8 threads on 10 rows, about 1 run in 6); not produced on demand here").build());
    out.add(Catalogue.entry(db, "rollingBackStatus", DEADLOCK, TRANSACTION_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLNonTransientException", "java.sql.SQLNonTransientException").codes("HY000", 50000)
        .message("General error: \"Transaction 42 has status ROLLING_BACK, not OPEN [2.5.252/103]\"",
            "has status ROLLING_BACK, not OPEN")
        .about("the same MVStore race, reported by a later statement of the victim: seen in H2 2.3.232 and 2.5.252 "
            + "(about 1 contention run in 270); not produced on demand here").build());
    out.add(Catalogue.entry(db, "queryTimeout", QUERY_TIMEOUT, STATEMENT_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLTimeoutException", "java.sql.SQLTimeoutException").codes("57014", 57014)
        .message("Statement was canceled or the session timed out", "Statement was canceled or the session timed out")
        .measured(true).about("QUERY_TIMEOUT or setQueryTimeout expired, or Statement.cancel").build());
    out.add(Catalogue.entry(db, "uniqueViolation", CONSTRAINT_VIOLATION, STATEMENT_ROLLED_BACK)
        .thrown(H2 + "JdbcSQLIntegrityConstraintViolationException",
            "java.sql.SQLIntegrityConstraintViolationException")
        .codes("23505", 23505)
        .message("Unique index or primary key violation: \"PRIMARY KEY ON PUBLIC.T(ID) ( /* key:1 */ 1, 0)\"",
            "Unique index or primary key violation")
        .measured(true).about("unique or primary key violation").build());
    out.add(Catalogue.entry(db, "connectionLost", CONNECTION_LOST, CONNECTION_GONE)
        .thrown(H2 + "JdbcSQLNonTransientConnectionException", "java.sql.SQLNonTransientConnectionException")
        .codes("90067", 90067).message("Connection is broken: \"session closed\"", "Connection is broken")
        .measured(true).about("server mode: the socket broke (not SQLState class 08)").build());
    out.add(Catalogue.entry(db, "connectionClosed", CONNECTION_LOST, CONNECTION_GONE)
        .thrown(H2 + "JdbcSQLNonTransientConnectionException", "java.sql.SQLNonTransientConnectionException")
        .codes("90121", 90121)
        .message("Database is already closed (to disable automatic closing at VM shutdown, add "
            + "\";DB_CLOSE_ON_EXIT=FALSE\" to the db URL)", "Database is already closed")
        .measured(true).about("server mode: every call after the connection broke").build());
  }
}
