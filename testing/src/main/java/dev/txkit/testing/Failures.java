package dev.txkit.testing;

import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.internal.ClassificationTables;
import dev.txkit.testing.internal.VendorExceptions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The catalogue of vendor-accurate failures of one database, for {@link Fault#fail}:
 * {@code Failures.postgres().deadlock()}.
 *
 * <p>One source of truth: each failure is tied to the rule of txkit's own classification table
 * ({@link Database#rules()}) that recognises it, so its {@link Failure#kind()} and {@link Failure#scope()} are
 * what txkit will decide. The exception's class, SQLState, vendor code and message are the driver's (pgjdbc,
 * MariaDB Connector/J 3, MySQL Connector/J 8, H2 2.x, ojdbc, mssql-jdbc); kinds a database has no row for fall
 * back to the first rule of that kind, with the rule's description as the message. Immutable and thread-safe.
 */
public final class Failures {

  private static final String SQL = "java.sql.SQLException";
  private static final String ROLLBACK = "java.sql.SQLTransactionRollbackException";
  private static final String TIMEOUT = "java.sql.SQLTimeoutException";
  private static final String INTEGRITY = "java.sql.SQLIntegrityConstraintViolationException";
  private static final String NON_TRANSIENT_CONNECTION = "java.sql.SQLNonTransientConnectionException";
  private static final String RECOVERABLE = "java.sql.SQLRecoverableException";
  private static final String PG = "org.postgresql.util.PSQLException";
  private static final String PG_ABORTED =
      "current transaction is aborted, commands ignored until end of transaction block";

  /** One row of a driver's way of reporting a failure. */
  private static final class Spec {
    final String name;
    final FailureKind kind;
    final String driverClass;
    final String standardClass;
    final String sqlState;
    final int code;
    final String message;
    final boolean server;
    final @Nullable String detail;

    Spec(String name, FailureKind kind, String driverClass, String standardClass, String sqlState, int code,
        String message, boolean server, @Nullable String detail) {
      this.name = name;
      this.kind = kind;
      this.driverClass = driverClass;
      this.standardClass = standardClass;
      this.sqlState = sqlState;
      this.code = code;
      this.message = message;
      this.server = server;
      this.detail = detail;
    }
  }

  private final Database database;
  private final List<Spec> specs;

  private Failures(Database database, List<Spec> specs) {
    this.database = database;
    this.specs = specs;
  }

  /** @return PostgreSQL's failures, as pgjdbc reports them */
  public static Failures postgres() {
    return of(Database.POSTGRESQL);
  }

  /** @return MariaDB's failures, as MariaDB Connector/J 3 reports them */
  public static Failures mariadb() {
    return of(Database.MARIADB);
  }

  /** @return MySQL's failures, as MySQL Connector/J 8 reports them */
  public static Failures mysql() {
    return of(Database.MYSQL);
  }

  /** @return H2 2.x's failures */
  public static Failures h2() {
    return of(Database.H2);
  }

  /** @return Oracle's failures, as ojdbc reports them */
  public static Failures oracle() {
    return of(Database.ORACLE);
  }

  /** @return SQL Server's failures, as mssql-jdbc reports them */
  public static Failures sqlServer() {
    return of(Database.SQL_SERVER);
  }

  /** @return CockroachDB's failures, as pgjdbc reports them */
  public static Failures cockroach() {
    return of(Database.COCKROACHDB);
  }

  /**
   * The catalogue of any database; for one without driver details here, the failures are derived from its
   * classification rules alone.
   *
   * @param database the database
   * @return its catalogue
   */
  public static Failures of(Database database) {
    Objects.requireNonNull(database, "database");
    List<Spec> s = new ArrayList<>();
    switch (database) {
      case POSTGRESQL:
      case YUGABYTEDB:
      case COCKROACHDB:
        if (database == Database.COCKROACHDB) {
          s.add(pg("serializationFailure", FailureKind.SERIALIZATION_FAILURE, "40001",
              "restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError", null));
          s.add(pg("outcomeUnknown", FailureKind.OUTCOME_UNKNOWN, "40003",
              "result is ambiguous (error=rpc error: code = Unavailable)", null));
        }
        s.add(pg("deadlock", FailureKind.DEADLOCK, "40P01", "deadlock detected",
            "Process 4242 waits for ShareLock on transaction 1001; blocked by process 4243."));
        s.add(pg("serializationFailure", FailureKind.SERIALIZATION_FAILURE, "40001",
            "could not serialize access due to concurrent update", null));
        s.add(pg("lockTimeout", FailureKind.LOCK_TIMEOUT, "55P03", "canceling statement due to lock timeout", null));
        s.add(pg("lockNotAvailable", FailureKind.LOCK_NOT_AVAILABLE, "55P03",
            "could not obtain lock on row in relation \"t\"", null));
        s.add(pg("queryTimeout", FailureKind.QUERY_TIMEOUT, "57014", "canceling statement due to statement timeout",
            null));
        s.add(pg("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION, "23505",
            "duplicate key value violates unique constraint \"t_pkey\"", "Key (id)=(1) already exists."));
        s.add(new Spec("connectionLost", FailureKind.CONNECTION_LOST, PG, NON_TRANSIENT_CONNECTION, "08006", 0,
            "An I/O error occurred while sending to the backend.", false, null));
        s.add(new Spec("connectionClosed", FailureKind.CONNECTION_LOST, PG, NON_TRANSIENT_CONNECTION, "08003", 0,
            "This connection has been closed.", false, null));
        s.add(pg("inFailedTransaction", FailureKind.OTHER, "25P02", PG_ABORTED, null));
        break;
      case MARIADB:
        s.add(std("deadlock", FailureKind.DEADLOCK, ROLLBACK, "40001", 1213,
            "(conn=7) Deadlock found when trying to get lock; try restarting transaction"));
        s.add(std("serializationFailure", FailureKind.SERIALIZATION_FAILURE, SQL, "HY000", 1020,
            "(conn=7) Record has changed since last read in table 't'"));
        s.add(std("lockTimeout", FailureKind.LOCK_TIMEOUT, SQL, "HY000", 1205,
            "(conn=7) Lock wait timeout exceeded; try restarting transaction"));
        // MariaDB 10.11 reports a NOWAIT failure as a lock wait timeout (measured)
        s.add(std("lockNotAvailable", FailureKind.LOCK_NOT_AVAILABLE, SQL, "HY000", 1205,
            "(conn=7) Lock wait timeout exceeded; try restarting transaction"));
        s.add(std("queryTimeout", FailureKind.QUERY_TIMEOUT, TIMEOUT, "70100", 1969,
            "(conn=7) Query execution was interrupted (max_statement_time exceeded)"));
        s.add(std("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION, INTEGRITY, "23000", 1062,
            "(conn=7) Duplicate entry '1' for key 'PRIMARY'"));
        s.add(std("connectionLost", FailureKind.CONNECTION_LOST, NON_TRANSIENT_CONNECTION, "08000", 0,
            "(conn=7) Socket error"));
        s.add(std("connectionClosed", FailureKind.CONNECTION_LOST, NON_TRANSIENT_CONNECTION, "08000", 1220,
            "(conn=7) Connection is closed"));
        break;
      case MYSQL:
        String cj = "com.mysql.cj.jdbc.exceptions.";
        s.add(drv("deadlock", FailureKind.DEADLOCK, cj + "MySQLTransactionRollbackException", ROLLBACK, "40001",
            1213, "Deadlock found when trying to get lock; try restarting transaction"));
        // Connector/J rewrites the statement-scope lock wait timeout to 40001 (FACTS.md section 3)
        s.add(drv("lockTimeout", FailureKind.LOCK_TIMEOUT, cj + "MySQLTransactionRollbackException", ROLLBACK,
            "40001", 1205, "Lock wait timeout exceeded; try restarting transaction"));
        s.add(std("lockNotAvailable", FailureKind.LOCK_NOT_AVAILABLE, SQL, "HY000", 3572,
            "Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set."));
        s.add(std("serializationFailure", FailureKind.SERIALIZATION_FAILURE, ROLLBACK, "40000", 3101,
            "Plugin instructed the server to rollback the current transaction."));
        s.add(std("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION, INTEGRITY, "23000", 1062,
            "Duplicate entry '1' for key 't.PRIMARY'"));
        s.add(drv("connectionLost", FailureKind.CONNECTION_LOST, cj + "CommunicationsException",
            NON_TRANSIENT_CONNECTION, "08S01", 0, "Communications link failure"));
        s.add(std("connectionClosed", FailureKind.CONNECTION_LOST, NON_TRANSIENT_CONNECTION, "08003", 0,
            "No operations allowed after connection closed."));
        break;
      case H2:
        String h2 = "org.h2.jdbc.";
        s.add(drv("deadlock", FailureKind.DEADLOCK, h2 + "JdbcSQLTransactionRollbackException", ROLLBACK, "40001",
            40001, "Deadlock detected. The current transaction was rolled back. Details: \"T\""));
        s.add(drv("serializationFailure", FailureKind.SERIALIZATION_FAILURE,
            h2 + "JdbcSQLTransactionRollbackException", ROLLBACK, "90131", 90131,
            "Concurrent update in table \"T\": another transaction has updated or deleted the same row"));
        s.add(drv("lockTimeout", FailureKind.LOCK_TIMEOUT, h2 + "JdbcSQLTimeoutException", TIMEOUT, "HYT00", 50200,
            "Timeout trying to lock table \"T\""));
        s.add(drv("queryTimeout", FailureKind.QUERY_TIMEOUT, h2 + "JdbcSQLTimeoutException", TIMEOUT, "57014",
            57014, "Statement was canceled or the session timed out"));
        s.add(drv("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION,
            h2 + "JdbcSQLIntegrityConstraintViolationException", INTEGRITY, "23505", 23505,
            "Unique index or primary key violation: \"PUBLIC.PRIMARY_KEY_5 ON PUBLIC.T(ID) VALUES ( /* 1 */ 1 )\""));
        s.add(drv("connectionLost", FailureKind.CONNECTION_LOST, h2 + "JdbcSQLNonTransientConnectionException",
            NON_TRANSIENT_CONNECTION, "90067", 90067, "Connection is broken: \"session closed\""));
        s.add(drv("connectionClosed", FailureKind.CONNECTION_LOST, h2 + "JdbcSQLNonTransientConnectionException",
            NON_TRANSIENT_CONNECTION, "90067", 90067, "Connection is broken: \"session closed\""));
        break;
      case ORACLE:
        s.add(std("deadlock", FailureKind.DEADLOCK, ROLLBACK, "61000", 60,
            "ORA-00060: deadlock detected while waiting for resource"));
        s.add(std("serializationFailure", FailureKind.SERIALIZATION_FAILURE, ROLLBACK, "72000", 8177,
            "ORA-08177: can't serialize access for this transaction"));
        s.add(std("lockNotAvailable", FailureKind.LOCK_NOT_AVAILABLE, SQL, "61000", 54,
            "ORA-00054: resource busy and acquire with NOWAIT specified or timeout expired"));
        s.add(std("lockTimeout", FailureKind.LOCK_TIMEOUT, SQL, "61000", 30006,
            "ORA-30006: resource busy; acquire with WAIT timeout expired"));
        s.add(std("queryTimeout", FailureKind.QUERY_TIMEOUT, TIMEOUT, "72000", 1013,
            "ORA-01013: user requested cancel of current operation"));
        s.add(std("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION, INTEGRITY, "23000", 1,
            "ORA-00001: unique constraint (APP.T_PK) violated"));
        s.add(std("connectionLost", FailureKind.CONNECTION_LOST, RECOVERABLE, "08006", 17002,
            "IO Error: Connection reset"));
        s.add(std("connectionClosed", FailureKind.CONNECTION_LOST, RECOVERABLE, "08003", 17008, "Closed Connection"));
        break;
      case SQL_SERVER:
        String ms = "com.microsoft.sqlserver.jdbc.SQLServerException";
        s.add(drv("deadlock", FailureKind.DEADLOCK, ms, SQL, "40001", 1205, "Transaction (Process ID 52) was "
            + "deadlocked on lock resources with another process and has been chosen as the deadlock victim. "
            + "Rerun the transaction."));
        s.add(drv("serializationFailure", FailureKind.SERIALIZATION_FAILURE, ms, SQL, "S0001", 3960,
            "Snapshot isolation transaction aborted due to update conflict. You cannot use snapshot isolation to "
                + "access table 'dbo.t' directly or indirectly in database 'app' to update, delete, or insert the "
                + "row that has been modified or deleted by another transaction. Retry the transaction or change "
                + "the isolation level for the update/delete statement."));
        s.add(drv("lockTimeout", FailureKind.LOCK_TIMEOUT, ms, SQL, "S0001", 1222,
            "Lock request time out period exceeded."));
        s.add(drv("queryTimeout", FailureKind.QUERY_TIMEOUT, ms, SQL, "HY008", 0, "The query has timed out."));
        s.add(drv("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION, ms, SQL, "23000", 2627,
            "Violation of PRIMARY KEY constraint 'PK_t'. Cannot insert duplicate key in object 'dbo.t'. The "
                + "duplicate key value is (1)."));
        s.add(drv("connectionLost", FailureKind.CONNECTION_LOST, ms, SQL, "08S01", 0,
            "Connection reset by peer"));
        s.add(drv("connectionClosed", FailureKind.CONNECTION_LOST, ms, SQL, "08S01", 0,
            "The connection is closed."));
        break;
      default:
        break;
    }
    return new Failures(database, List.copyOf(s));
  }

  private static Spec pg(String name, FailureKind kind, String state, String message, @Nullable String detail) {
    return new Spec(name, kind, PG, SQL, state, 0, message, true, detail);
  }

  private static Spec std(String name, FailureKind kind, String cls, String state, int code, String message) {
    return new Spec(name, kind, cls, cls, state, code, message, false, null);
  }

  private static Spec drv(String name, FailureKind kind, String driverClass, String standardClass, String state,
      int code, String message) {
    return new Spec(name, kind, driverClass, standardClass, state, code, message, false, null);
  }

  /** @return the database of this catalogue */
  public Database database() {
    return database;
  }

  /** @return a deadlock (the victim's transaction is rolled back) */
  public Failure deadlock() {
    return failure("deadlock", FailureKind.DEADLOCK);
  }

  /** @return a serialization failure */
  public Failure serializationFailure() {
    return failure("serializationFailure", FailureKind.SERIALIZATION_FAILURE);
  }

  /**
   * @return a lock wait timeout (PostgreSQL's {@code lock_timeout} is 55P03, which txkit classifies as lock not
   *     available)
   */
  public Failure lockTimeout() {
    return failure("lockTimeout", FailureKind.LOCK_TIMEOUT);
  }

  /** @return a lock that could not be taken at once ({@code NOWAIT}) */
  public Failure lockNotAvailable() {
    return failure("lockNotAvailable", FailureKind.LOCK_NOT_AVAILABLE);
  }

  /** @return a lost connection, as the driver reports it when the socket breaks */
  public Failure connectionLost() {
    return failure("connectionLost", FailureKind.CONNECTION_LOST);
  }

  /** @return what the driver reports on a connection that is already closed or broken */
  public Failure connectionClosed() {
    return failure("connectionClosed", FailureKind.CONNECTION_LOST);
  }

  /** @return a statement timeout or cancel */
  public Failure queryTimeout() {
    return failure("queryTimeout", FailureKind.QUERY_TIMEOUT);
  }

  /** @return a unique (primary key) violation */
  public Failure uniqueViolation() {
    return failure("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION);
  }

  /** @return the database's own "outcome unknown" report (only CockroachDB has one: 40003) */
  public Failure outcomeUnknown() {
    return failure("outcomeUnknown", FailureKind.OUTCOME_UNKNOWN);
  }

  /**
   * PostgreSQL's 25P02, what every statement of a transaction in the aborted state gets.
   *
   * @return the failure
   * @throws IllegalArgumentException if the database is not in the PostgreSQL family
   */
  public Failure inFailedTransaction() {
    if (!database.isPostgresFamily()) {
      throw new IllegalArgumentException(database + " has no aborted transaction state; only PostgreSQL does");
    }
    return failure("inFailedTransaction", FailureKind.OTHER);
  }

  /**
   * The failure of a kind.
   *
   * @param kind the kind
   * @return the failure
   * @throws IllegalArgumentException if the database's classification table has no rule of that kind
   */
  public Failure of(FailureKind kind) {
    Objects.requireNonNull(kind, "kind");
    for (Spec s : specs) {
      if (s.kind == kind) {
        return build(s);
      }
    }
    return failure(kind.name().toLowerCase(java.util.Locale.ROOT), kind);
  }

  private Failure failure(String name, FailureKind kind) {
    for (Spec s : specs) {
      if (s.name.equals(name)) {
        return build(s);
      }
    }
    // a database whose driver is described above reports only what its own table says; others get every rule
    List<FailureRule> candidates = specs.isEmpty() ? database.rules() : ClassificationTables.own(database);
    for (FailureRule r : candidates) {
      if (r.classification().kind() == kind) {
        String state = r.sqlState();
        if (state == null) {
          state = "HY000";
        } else if (state.endsWith("*")) {
          StringBuilder padded = new StringBuilder(state.substring(0, state.length() - 1));
          while (padded.length() < 5) {
            padded.append('0');
          }
          state = padded.toString();
        }
        int code = r.vendorCode() == null ? 0 : r.vendorCode();
        String message = r.messageContains() != null ? r.messageContains() : r.description();
        return new Failure(database, name, r, SQL, SQL, state, code, message, false, null);
      }
    }
    throw new IllegalArgumentException(database + " reports no failure of kind " + kind + ": txkit's "
        + "classification table for it has no such rule" + (kind == FailureKind.OUTCOME_UNKNOWN
        ? ". Make a commit's outcome unknown with Fault.at(Point.COMMIT_AFTER).dropConnection()" : ""));
  }

  private Failure build(Spec s) {
    SQLException e = VendorExceptions.create(s.driverClass, s.standardClass, s.message, s.sqlState, s.code,
        s.server, s.detail);
    dev.txkit.Classification c = database.classifier().classify(e);
    FailureRule rule = null;
    for (FailureRule r : database.rules()) {
      if (r.matches(e) && r.classification().equals(c)) {
        rule = r;
        break;
      }
    }
    if (rule == null) {
      // txkit's classifier decided without a table row (e.g. by the exception's class)
      rule = new FailureRule(s.sqlState, s.code == 0 ? null : s.code, null, c,
          "classified by txkit's " + database + " classifier without a table row");
    }
    return new Failure(database, s.name, rule, s.driverClass, s.standardClass, s.sqlState, s.code, s.message,
        s.server, s.detail);
  }

  @Override
  public String toString() {
    return "Failures[" + database + "]";
  }
}
