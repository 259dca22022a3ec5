package dev.txkit.jdbc;

import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.FailureScope.STATEMENT;
import static dev.txkit.FailureScope.TRANSACTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.ConstraintViolationException;
import dev.txkit.FailureClassifier;
import dev.txkit.FailureRule;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
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
import org.postgresql.util.ServerErrorMessage;

/**
 * The classification tables' mechanics: every database has described, unshadowed rules of its own; vendor-code
 * rows come before the SQLState rows they override; a transaction-scope failure anywhere in a chain wins;
 * batches, cause chains and the depth cap; product detection; user rules. The vendor facts themselves (which
 * exception each database's driver throws, and what the server does next) are not kept here: they live in the
 * test kit's catalogue, measured against the real servers, and the testing module's {@code CatalogueTest}
 * checks every row of these tables against it (see {@code docs/databases.md}).
 */
class ClassificationTableTest {

  /** A server error as pgjdbc parses it from the ErrorResponse message: a PSQLException, vendor code 0. */
  static SQLException pg(String severity, String sqlState, String message) {
    return new PSQLException(new ServerErrorMessage(
        "S" + severity + "\0V" + severity + "\0C" + sqlState + "\0M" + message + "\0"));
  }

  static SQLException h2(int errorCode, String... params) {
    return DbException.getJdbcSQLException(errorCode, null, params);
  }

  @Test
  void findsAFailureInABatchsNextExceptionsAndInCauseChainsUpToTheDepthCap() {
    FailureClassifier classifier = Database.MARIADB.classifier();
    Classification deadlock = new Classification(DEADLOCK, TRANSACTION);
    // a batch failure that carries no SQLState or vendor code of its own, the real error as next exception
    BatchUpdateException batch = new BatchUpdateException("Batch entry 1 was aborted; call getNextException",
        null, 0, new int[] {1, Statement.EXECUTE_FAILED});
    batch.setNextException(new SQLTransactionRollbackException("Deadlock found", "40001", 1213));
    assertEquals(deadlock, classifier.classify(batch));
    assertEquals(deadlock, classifier.classify(new IllegalStateException("repository failed",
        new RuntimeException("dao failed", batch))));

    Throwable deep = new SQLTransactionRollbackException("Deadlock found", "40001", 1213);
    for (int i = 1; i < FailureClassifier.MAX_DEPTH; i++) {
      deep = new RuntimeException("wrapper " + i, deep);
    }
    assertEquals(deadlock, classifier.classify(deep), "the deadlock is the last exception within the cap");
    assertEquals(Classification.UNRECOGNISED, classifier.classify(new RuntimeException("one too deep", deep)));
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
