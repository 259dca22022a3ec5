package dev.txkit.jdbc;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_NOT_AVAILABLE;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.OUTCOME_UNKNOWN;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.FailureScope.STATEMENT;
import static dev.txkit.FailureScope.TRANSACTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.ConstraintViolationException;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.FailureScope;
import java.io.EOFException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.message.DbException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

/**
 * One row per row of FACTS.md section 1 (several where a row names several codes): the exception built as the
 * driver builds it, and the kind and scope {@code Database.X.classifier()} must give it.
 *
 * <p>pgjdbc, MariaDB Connector/J and H2 are on the test class path, so their rows use the drivers' own classes
 * (a {@code PSQLException} parsed from a server error message, the {@code java.sql} subclass MariaDB's
 * exception factory picks for the SQLState, H2's own {@code DbException} factory). The others are built from
 * the {@code java.sql} class the driver throws, with its SQLState, vendor code and message.
 */
class ClassificationTableTest {

  record Case(String row, Database db, SQLException e, FailureKind kind, FailureScope scope) {
    @Override
    public String toString() {
      return db + " " + row;
    }
  }

  /** A server error as pgjdbc parses it from the ErrorResponse message: a PSQLException, vendor code 0. */
  static SQLException pg(String severity, String sqlState, String message) {
    return new PSQLException(new ServerErrorMessage(
        "S" + severity + "\0V" + severity + "\0C" + sqlState + "\0M" + message + "\0"));
  }

  /** A client-side pgjdbc failure (lost connection etc.). */
  static SQLException pgClient(String message, PSQLState state) {
    return new PSQLException(message, state, new EOFException());
  }

  static SQLException h2(int errorCode, String... params) {
    return DbException.getJdbcSQLException(errorCode, null, params);
  }

  static Case row(String row, Database db, SQLException e, FailureKind kind, FailureScope scope) {
    return new Case(row, db, e, kind, scope);
  }

  static Stream<Case> facts() {
    return Stream.of(
        // PostgreSQL (pgjdbc)
        row("serialization failure at a statement", Database.POSTGRESQL,
            pg("ERROR", "40001", "could not serialize access due to concurrent update"),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("serialization failure raised by COMMIT", Database.POSTGRESQL,
            pg("ERROR", "40001", "could not serialize access due to read/write dependencies among transactions"),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("deadlock detected", Database.POSTGRESQL, pg("ERROR", "40P01", "deadlock detected"),
            DEADLOCK, TRANSACTION),
        row("lock not available (NOWAIT)", Database.POSTGRESQL,
            pg("ERROR", "55P03", "could not obtain lock on row in relation \"cls_rows\""),
            LOCK_NOT_AVAILABLE, STATEMENT),
        row("lock not available (lock_timeout)", Database.POSTGRESQL,
            pg("ERROR", "55P03", "canceling statement due to lock timeout"), LOCK_TIMEOUT, STATEMENT),
        row("statement timeout", Database.POSTGRESQL,
            pg("ERROR", "57014", "canceling statement due to statement timeout"), QUERY_TIMEOUT, STATEMENT),
        row("cancel", Database.POSTGRESQL, pg("ERROR", "57014", "canceling statement due to user request"),
            QUERY_TIMEOUT, STATEMENT),
        row("unique violation", Database.POSTGRESQL,
            pg("ERROR", "23505", "duplicate key value violates unique constraint \"cls_rows_pkey\""),
            CONSTRAINT_VIOLATION, STATEMENT),
        row("exclusion violation", Database.POSTGRESQL,
            pg("ERROR", "23P01", "conflicting key value violates exclusion constraint \"cls_no_overlap\""),
            CONSTRAINT_VIOLATION, STATEMENT),
        row("idle-in-transaction timeout", Database.POSTGRESQL,
            pg("FATAL", "25P03", "terminating connection due to idle-in-transaction timeout"),
            CONNECTION_LOST, TRANSACTION),
        row("PG17 transaction timeout", Database.POSTGRESQL,
            pg("FATAL", "25P04", "terminating connection due to transaction timeout"),
            CONNECTION_LOST, TRANSACTION),
        row("admin shutdown", Database.POSTGRESQL,
            pg("FATAL", "57P01", "terminating connection due to administrator command"),
            CONNECTION_LOST, TRANSACTION),
        row("crash shutdown", Database.POSTGRESQL,
            pg("FATAL", "57P02", "terminating connection because of crash of another server process"),
            CONNECTION_LOST, TRANSACTION),
        row("cannot connect now", Database.POSTGRESQL,
            pg("FATAL", "57P03", "the database system is shutting down"), CONNECTION_LOST, TRANSACTION),
        row("connection failure 08001", Database.POSTGRESQL,
            pgClient("Connection to 127.0.0.1:5432 refused.", PSQLState.CONNECTION_UNABLE_TO_CONNECT),
            CONNECTION_LOST, TRANSACTION),
        row("connection failure 08003", Database.POSTGRESQL,
            pgClient("This connection has been closed.", PSQLState.CONNECTION_DOES_NOT_EXIST),
            CONNECTION_LOST, TRANSACTION),
        row("connection failure 08004", Database.POSTGRESQL,
            pgClient("The server does not support SSL.", PSQLState.CONNECTION_REJECTED),
            CONNECTION_LOST, TRANSACTION),
        row("connection failure 08006", Database.POSTGRESQL,
            pgClient("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE),
            CONNECTION_LOST, TRANSACTION),
        row("connection failure 08007", Database.POSTGRESQL,
            pgClient("Connection failure during transaction.", PSQLState.CONNECTION_FAILURE_DURING_TRANSACTION),
            CONNECTION_LOST, TRANSACTION),
        row("connection failure 08S01", Database.POSTGRESQL,
            pgClient("Communication error.", PSQLState.COMMUNICATION_ERROR), CONNECTION_LOST, TRANSACTION),

        // MariaDB Connector/J 3.x (the java.sql class its ExceptionFactory picks for the SQLState)
        row("deadlock 1213", Database.MARIADB, new SQLTransactionRollbackException(
                "(conn=51) Deadlock found when trying to get lock; try restarting transaction", "40001", 1213),
            DEADLOCK, TRANSACTION),
        row("lock wait timeout 1205 (HY000)", Database.MARIADB, new SQLException(
                "(conn=51) Lock wait timeout exceeded; try restarting transaction", "HY000", 1205),
            LOCK_TIMEOUT, STATEMENT),
        row("lock wait timeout 1205 via MySQL Connector/J (40001)", Database.MARIADB,
            new SQLTransactionRollbackException("Lock wait timeout exceeded; try restarting transaction", "40001",
                1205),
            LOCK_TIMEOUT, STATEMENT),
        row("NOWAIT lock failure (MariaDB 10.11 reports 1205)", Database.MARIADB, new SQLException(
                "(conn=51) Lock wait timeout exceeded; try restarting transaction", "HY000", 1205),
            LOCK_TIMEOUT, STATEMENT),
        row("record has changed since last read 1020", Database.MARIADB, new SQLException(
                "(conn=51) Record has changed since last read in table 'cls_rows'; try restarting transaction",
                "HY000", 1020),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("Galera cluster deadlock 1213", Database.MARIADB, new SQLTransactionRollbackException(
                "(conn=51) WSREP detected deadlock/conflict and aborted the transaction. Try restarting the "
                    + "transaction", "40001", 1213),
            DEADLOCK, TRANSACTION),
        row("Galera deadlock 149", Database.MARIADB,
            new SQLException("(conn=51) Lock deadlock; Retry transaction", "HY000", 149), DEADLOCK, TRANSACTION),
        row("duplicate entry 1062", Database.MARIADB, new SQLIntegrityConstraintViolationException(
                "(conn=51) Duplicate entry '1' for key 'PRIMARY'", "23000", 1062),
            CONSTRAINT_VIOLATION, STATEMENT),
        row("max_statement_time 1969", Database.MARIADB, new SQLTimeoutException(
                "(conn=51) Query execution was interrupted (max_statement_time exceeded)", "70100", 1969),
            QUERY_TIMEOUT, STATEMENT),
        row("connection killed 1927", Database.MARIADB, new SQLTimeoutException(
                "(conn=51) Connection was killed", "70100", 1927),
            CONNECTION_LOST, TRANSACTION),
        row("socket error", Database.MARIADB, new SQLNonTransientConnectionException(
                "(conn=51) Socket error", "08000", 0),
            CONNECTION_LOST, TRANSACTION),

        // MySQL (Connector/J: MySQLTransactionRollbackException for SQLState class 40)
        row("deadlock 1213", Database.MYSQL, new SQLTransactionRollbackException(
                "Deadlock found when trying to get lock; try restarting transaction", "40001", 1213),
            DEADLOCK, TRANSACTION),
        row("lock wait timeout 1205 rewritten to 40001 by Connector/J", Database.MYSQL,
            new SQLTransactionRollbackException("Lock wait timeout exceeded; try restarting transaction", "40001",
                1205),
            LOCK_TIMEOUT, STATEMENT),
        row("lock wait timeout 1205 via MariaDB Connector/J (HY000)", Database.MYSQL,
            new SQLException("Lock wait timeout exceeded; try restarting transaction", "HY000", 1205),
            LOCK_TIMEOUT, STATEMENT),
        row("NOWAIT lock failure 3572", Database.MYSQL, new SQLException(
                "Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set.", "HY000",
                3572),
            LOCK_NOT_AVAILABLE, STATEMENT),
        row("Group Replication rollback 3101", Database.MYSQL, new SQLTransactionRollbackException(
                "Plugin instructed the server to rollback the current transaction.", "40000", 3101),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("duplicate entry 1062", Database.MYSQL, new SQLIntegrityConstraintViolationException(
                "Duplicate entry '1' for key 'cls_rows.PRIMARY'", "23000", 1062),
            CONSTRAINT_VIOLATION, STATEMENT),

        // H2 2.x (H2's own exception factory)
        row("deadlock / write conflict 40001", Database.H2, h2(ErrorCode.DEADLOCK_1, "\"CLS_ROWS\""),
            DEADLOCK, TRANSACTION),
        row("MVStore race while a deadlock victim rolls back (50000)", Database.H2,
            h2(ErrorCode.GENERAL_ERROR_1, "Transaction was illegally transitioned from ROLLING_BACK to ROLLING_BACK"
                + " [2.3.232/103]"),
            DEADLOCK, TRANSACTION),
        row("MVStore race: a statement on a transaction the deadlock detector is rolling back (50000)", Database.H2,
            h2(ErrorCode.GENERAL_ERROR_1, "Transaction 4 has status ROLLING_BACK, not OPEN [2.5.252/103]"),
            DEADLOCK, TRANSACTION),
        row("lock timeout HYT00/50200", Database.H2, h2(ErrorCode.LOCK_TIMEOUT_1, "\"CLS_ROWS\""),
            LOCK_TIMEOUT, STATEMENT),
        row("concurrent update 90131", Database.H2, h2(ErrorCode.CONCURRENT_UPDATE_1, "\"CLS_ROWS\""),
            SERIALIZATION_FAILURE, STATEMENT),
        row("connection broken 90067 (server mode)", Database.H2,
            h2(ErrorCode.CONNECTION_BROKEN_1, "java.net.SocketException: Connection reset"),
            CONNECTION_LOST, TRANSACTION),
        row("statement canceled 57014", Database.H2, h2(ErrorCode.STATEMENT_WAS_CANCELED),
            QUERY_TIMEOUT, STATEMENT),
        row("duplicate key 23505", Database.H2, h2(ErrorCode.DUPLICATE_KEY_1, "PRIMARY KEY ON PUBLIC.CLS_ROWS(ID)"),
            CONSTRAINT_VIOLATION, STATEMENT),

        // Oracle (ojdbc: ORA-00060 comes as SQLTransactionRollbackException, but only the statement was undone)
        row("deadlock ORA-00060", Database.ORACLE, new SQLTransactionRollbackException(
                "ORA-00060: deadlock detected while waiting for resource\n", "61000", 60),
            DEADLOCK, STATEMENT),
        row("can't serialize ORA-08177", Database.ORACLE, new SQLException(
                "ORA-08177: can't serialize access for this transaction\n", "72000", 8177),
            SERIALIZATION_FAILURE, STATEMENT),

        // SQL Server (mssql-jdbc SQLServerException: 40001 only for 1205, "S000<state>" otherwise)
        row("deadlock victim 1205", Database.SQL_SERVER, new SQLException(
                "Transaction (Process ID 57) was deadlocked on lock resources with another process and has been "
                    + "chosen as the deadlock victim. Rerun the transaction.", "40001", 1205),
            DEADLOCK, TRANSACTION),
        row("deadlock victim 1205 with xopenStates=true", Database.SQL_SERVER, new SQLException(
                "Transaction (Process ID 57) was deadlocked on lock resources with another process and has been "
                    + "chosen as the deadlock victim. Rerun the transaction.", "42000", 1205),
            DEADLOCK, TRANSACTION),
        row("snapshot update conflict 3960", Database.SQL_SERVER, new SQLException(
                "Snapshot isolation transaction aborted due to update conflict. You cannot use snapshot isolation "
                    + "to access table 'dbo.cls_rows' directly or indirectly in database 'test' to update, delete, "
                    + "or insert the row that has been modified or deleted by another transaction.", "S0002", 3960),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("lock request timeout 1222", Database.SQL_SERVER,
            new SQLException("Lock request time out period exceeded.", "S0001", 1222), LOCK_TIMEOUT, STATEMENT),

        // Db2 (JCC: vendor code = SQLCODE)
        row("-911 unit of work rolled back", Database.DB2, new SQLTransactionRollbackException(
                "DB2 SQL Error: SQLCODE=-911, SQLSTATE=40001, SQLERRMC=2, DRIVER=4.33.31", "40001", -911),
            DEADLOCK, TRANSACTION),
        row("-913 statement rolled back", Database.DB2, new SQLException(
                "DB2 SQL Error: SQLCODE=-913, SQLSTATE=57033, SQLERRMC=00C90088, DRIVER=4.33.31", "57033", -913),
            DEADLOCK, STATEMENT),

        // SQLite (xerial: SQLState null, primary result code; extended codes from drivers that report them)
        row("SQLITE_BUSY 5", Database.SQLITE,
            new SQLException("[SQLITE_BUSY] The database file is locked (database is locked)", null, 5),
            LOCK_TIMEOUT, STATEMENT),
        row("SQLITE_LOCKED 6", Database.SQLITE,
            new SQLException("[SQLITE_LOCKED] A table in the database is locked (database table is locked)", null,
                6),
            LOCK_TIMEOUT, STATEMENT),
        row("SQLITE_BUSY_RECOVERY 261", Database.SQLITE,
            new SQLException("[SQLITE_BUSY_RECOVERY] Another process is recovering a WAL mode database file", null,
                261),
            LOCK_TIMEOUT, STATEMENT),
        row("SQLITE_BUSY_SNAPSHOT 517", Database.SQLITE,
            new SQLException("[SQLITE_BUSY_SNAPSHOT] Cannot promote read transaction to write transaction because "
                + "of writes by another connection", null, 517),
            LOCK_TIMEOUT, STATEMENT),
        row("SQLITE_LOCKED_SHAREDCACHE 262", Database.SQLITE,
            new SQLException("[SQLITE_LOCKED_SHAREDCACHE] Contention with a different database connection that "
                + "shares the cache", null, 262),
            LOCK_TIMEOUT, STATEMENT),

        // CockroachDB (pgjdbc)
        row("restart transaction 40001", Database.COCKROACHDB,
            pg("ERROR", "40001", "restart transaction: TransactionRetryWithProtoRefreshError: "
                + "TransactionRetryError: retry txn (RETRY_SERIALIZABLE - failed preemptive refresh)"),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("result is ambiguous 40003", Database.COCKROACHDB,
            pg("ERROR", "40003", "result is ambiguous: error=rpc error: code = Unavailable"),
            OUTCOME_UNKNOWN, TRANSACTION),

        // YugabyteDB (pgjdbc)
        row("serialization failure 40001", Database.YUGABYTEDB,
            pg("ERROR", "40001", "could not serialize access due to concurrent update"),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("read restart 40001", Database.YUGABYTEDB,
            pg("ERROR", "40001", "Restart read required at: read: { physical: 1700000000000000 } ..."),
            SERIALIZATION_FAILURE, TRANSACTION),
        row("deadlock 40P01", Database.YUGABYTEDB, pg("ERROR", "40P01", "deadlock detected"),
            DEADLOCK, TRANSACTION));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("facts")
  void classifiesEveryRowOfTheFacts(Case c) {
    assertEquals(new Classification(c.kind(), c.scope()), c.db().classifier().classify(c.e()),
        c + ": " + c.e().getClass().getSimpleName() + " " + c.e().getSQLState() + "/" + c.e().getErrorCode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("facts")
  void classifiesTheSameInsideABatchUpdateExceptionsNextException(Case c) {
    // a batch failure that carries no SQLState or vendor code of its own, the real error as next exception
    BatchUpdateException batch = new BatchUpdateException("Batch entry 1 was aborted; call getNextException",
        null, 0, new int[] {1, Statement.EXECUTE_FAILED});
    batch.setNextException(c.e());
    assertEquals(new Classification(c.kind(), c.scope()), c.db().classifier().classify(batch), c.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("facts")
  void classifiesTheSameWhenWrappedAsCause(Case c) {
    RuntimeException wrapped = new IllegalStateException("repository failed",
        new RuntimeException("dao failed", c.e()));
    assertEquals(new Classification(c.kind(), c.scope()), c.db().classifier().classify(wrapped), c.toString());
  }

  @Test
  void everyKnownDatabaseHasItsOwnRulesAndEveryRuleIsDescribed() {
    for (Database db : Database.values()) {
      List<FailureRule> rules = db.rules();
      assertFalse(rules.isEmpty(), db.toString());
      for (FailureRule r : rules) {
        assertTrue(r.description().length() > 15, db + ": rule without a meaningful description: " + r);
      }
      if (db != Database.OTHER) {
        assertTrue(rules.size() > Database.OTHER.rules().size(), db + " has no rules of its own");
      }
      Set<List<Object>> conditions = new HashSet<>();
      for (FailureRule r : rules) {
        List<Object> key = new ArrayList<>();
        key.add(String.valueOf(r.sqlState()));
        key.add(String.valueOf(r.vendorCode()));
        key.add(String.valueOf(r.messageContains()));
        assertTrue(conditions.add(key), db + ": rule shadowed by an identical earlier one: " + r);
      }
    }
  }

  @Test
  void vendorCodeRulesComeBeforeTheSqlStateRulesTheyOverride() {
    // Connector/J's 1205 with SQLState 40001 must meet the 1205 rule before any 40001 rule
    List<FailureRule> rules = Database.MYSQL.rules();
    SQLException rewritten = new SQLTransactionRollbackException("Lock wait timeout exceeded", "40001", 1205);
    FailureRule first = rules.stream().filter(r -> r.matches(rewritten)).findFirst().orElseThrow();
    assertEquals(Integer.valueOf(1205), first.vendorCode());
    // the same exception with another vendor code is a rolled-back transaction
    assertEquals(new Classification(SERIALIZATION_FAILURE, TRANSACTION), Database.MYSQL.classifier()
        .classify(new SQLTransactionRollbackException("rolled back", "40001", 1)));
  }

  @Test
  void aStatementScopeFailureDoesNotHideATransactionScopeOneInTheSameChain() {
    // a batch whose first error is a duplicate key and whose later one is a deadlock: the deadlock counts
    SQLException duplicate = pg("ERROR", "23505", "duplicate key value violates unique constraint");
    duplicate.setNextException(pg("ERROR", "40P01", "deadlock detected"));
    assertEquals(new Classification(DEADLOCK, TRANSACTION), Database.POSTGRESQL.classifier().classify(duplicate));
  }

  @Test
  void unrecognisedFailuresStayOther() {
    Classification c = Database.POSTGRESQL.classifier()
        .classify(pg("ERROR", "42P01", "relation \"cls_missing\" does not exist"));
    assertEquals(Classification.UNRECOGNISED, c);
    assertEquals(Classification.UNRECOGNISED,
        Database.SQLITE.classifier().classify(new SQLException("[SQLITE_ERROR] SQL error", null, 1)));
  }

  static Stream<Arguments> productNames() {
    return Stream.of(
        // reported by the servers on this machine (checked by RealFailureClassificationIT for PG and MariaDB)
        Arguments.of("PostgreSQL", "15.20 (Debian 15.20-0+deb12u1)", Database.POSTGRESQL),
        Arguments.of("MariaDB", "10.11.19-MariaDB-0+deb12u1", Database.MARIADB),
        Arguments.of("H2", "2.3.232 (2024-08-11)", Database.H2),
        // pgjdbc against YugabyteDB (server_version) and CockroachDB (version(); server_version says 13.0.0)
        Arguments.of("PostgreSQL", "11.2-YB-2.20.1.0-b0", Database.YUGABYTEDB),
        Arguments.of("PostgreSQL", "PostgreSQL 11.2-YB-2.20.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang",
            Database.YUGABYTEDB),
        Arguments.of("PostgreSQL", "CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27, go1.19.10)",
            Database.COCKROACHDB),
        Arguments.of("PostgreSQL", "13.0.0", Database.POSTGRESQL),
        // MySQL Connector/J against MariaDB, and against MySQL
        Arguments.of("MySQL", "5.5.5-10.11.19-MariaDB-0+deb12u1", Database.MARIADB),
        Arguments.of("MySQL", "8.0.36", Database.MYSQL),
        Arguments.of("Oracle", "Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production\n"
            + "Version 19.3.0.0.0", Database.ORACLE),
        Arguments.of("Microsoft SQL Server", "16.00.4135", Database.SQL_SERVER),
        Arguments.of("DB2/LINUXX8664", "SQL110590", Database.DB2),
        Arguments.of("DB2/NT64", "SQL11058", Database.DB2),
        Arguments.of("DB2", "DSN12015", Database.DB2),
        Arguments.of("DB2 UDB for AS/400", "07.04.0000 V7R4m0", Database.DB2),
        Arguments.of("SQLite", "3.45.1", Database.SQLITE),
        Arguments.of("HSQL Database Engine", "2.7.3", Database.OTHER),
        Arguments.of(null, null, Database.OTHER));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("productNames")
  void detectsTheProductNamesDriversReport(String name, String version, Database expected) {
    assertEquals(expected, Database.detect(name, version));
  }

  @Test
  void detectsH2FromALiveConnection() throws SQLException {
    try (Connection c = TestDatabases.h2().connect()) {
      assertEquals(Database.H2, Database.detect(c));
    }
  }

  // A user rule: on this key-picking transaction a duplicate key means another session took the key first,
  // so pick again. The rule goes before H2's defaults, which stay in place for everything else.
  private static final FailureRule RETRY_PICKED_KEY = FailureRule.ofSqlState("23505", SERIALIZATION_FAILURE,
      TRANSACTION, "key picked concurrently by another session: pick again");

  private static JdbcDataSource h2DataSource() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(TestDatabases.h2().url());
    return ds;
  }

  private static long pickAndInsert(Tx tx, JdbcDataSource ds, AtomicInteger attempts) throws SQLException {
    attempts.incrementAndGet();
    long next = tx.queryOne("SELECT COALESCE(MAX(id), 0) + 1 FROM cls_keys", rs -> rs.getLong(1));
    if (tx.attempt() == 1) {
      // another session takes the same key and commits first
      try (Connection other = ds.getConnection(); Statement st = other.createStatement()) {
        st.executeUpdate("INSERT INTO cls_keys(id, note) VALUES (" + next + ", 'other session')");
      }
    }
    tx.update("INSERT INTO cls_keys(id, note) VALUES (?, ?)", next, "ours");
    return next;
  }

  @Test
  void aUserRuleTakesPrecedenceAndTheTransactionIsRetried() throws SQLException {
    JdbcDataSource ds = h2DataSource();
    List<java.time.Duration> slept = new ArrayList<>();
    Transactions txs = Transactions.builder(ds).rule(RETRY_PICKED_KEY).sleeper(slept::add).build();
    txs.useTransaction(tx -> {
      tx.update("CREATE TABLE cls_keys(id BIGINT PRIMARY KEY, note VARCHAR(20) NOT NULL)");
      tx.update("INSERT INTO cls_keys(id, note) VALUES (1, 'seed')");
    });
    AtomicInteger attempts = new AtomicInteger();
    long key = txs.inTransaction(tx -> pickAndInsert(tx, ds, attempts));

    assertEquals(2, attempts.get(), "the duplicate key of attempt 1 must be retried once");
    assertEquals(1, slept.size(), "one backoff between the two attempts");
    assertEquals(3L, key);
    assertEquals(List.of("1 seed", "2 other session", "3 ours"), txs.inTransaction(tx ->
        tx.query("SELECT id, note FROM cls_keys ORDER BY id", rs -> rs.getLong(1) + " " + rs.getString(2))));

    // H2's defaults are still there: a NOT NULL violation (23502) is a constraint violation, not retried
    AtomicInteger nullAttempts = new AtomicInteger();
    ConstraintViolationException e = assertThrows(ConstraintViolationException.class,
        () -> txs.useTransaction(tx -> {
          nullAttempts.incrementAndGet();
          tx.update("INSERT INTO cls_keys(id, note) VALUES (?, ?)", 10, null);
        }));
    assertEquals(1, nullAttempts.get());
    assertEquals("23502", e.sqlState());
    assertEquals(new Classification(CONSTRAINT_VIOLATION, STATEMENT), e.classification());
  }

  @Test
  void withoutTheUserRuleTheDuplicateKeyIsNotRetried() throws SQLException {
    JdbcDataSource ds = h2DataSource();
    Transactions txs = Transactions.builder(ds).sleeper(d -> { }).build();
    txs.useTransaction(tx -> {
      tx.update("CREATE TABLE cls_keys(id BIGINT PRIMARY KEY, note VARCHAR(20) NOT NULL)");
      tx.update("INSERT INTO cls_keys(id, note) VALUES (1, 'seed')");
    });
    AtomicInteger attempts = new AtomicInteger();
    ConstraintViolationException e = assertThrows(ConstraintViolationException.class,
        () -> txs.inTransaction(tx -> pickAndInsert(tx, ds, attempts)));
    assertEquals(1, attempts.get());
    assertEquals("23505", e.sqlState());
    assertEquals(List.of(1L, 2L), txs.inTransaction(tx ->
        tx.query("SELECT id FROM cls_keys ORDER BY id", rs -> rs.getLong(1))));
  }

  @Test
  void aUserRuleDoesNotChangeTheDatabasesOwnClassifier() {
    Transactions.builder(h2DataSource()).rule(RETRY_PICKED_KEY).build();
    assertEquals(new Classification(CONSTRAINT_VIOLATION, STATEMENT),
        Database.H2.classifier().classify(h2(ErrorCode.DUPLICATE_KEY_1, "PRIMARY KEY")));
  }
}
