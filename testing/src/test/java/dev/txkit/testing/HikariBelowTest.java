package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.FailureKind;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The faulty data source below HikariCP: the pool's own eviction and reset paths meet the faults. */
class HikariBelowTest {

  private TestDb db;
  private FaultyDataSource faulty;
  private HikariDataSource pool;
  private Transactions txs;

  @BeforeEach
  void setUp() {
    db = TestDatabases.h2();
    db.createTable("fi_hikari", "id INT PRIMARY KEY, v INT");
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(db.url());
    faulty = FaultyDataSource.wrap(h2);
    HikariConfig config = new HikariConfig();
    config.setDataSource(faulty);
    config.setMaximumPoolSize(2);
    config.setMinimumIdle(0);
    config.setPoolName("fi-hikari-below");
    pool = new HikariDataSource(config);
    FakeSleeper sleeper = new FakeSleeper();
    txs = Transactions.builder(pool).listener(faulty.faults().listener()).sleeper(sleeper).ticker(sleeper).build();
  }

  @AfterEach
  void tearDown() {
    pool.close();
    db.exec("DROP TABLE fi_hikari");
  }

  @Test
  void droppedConnectionIsEvictedByThePoolAndTheTransactionRetried() {
    faulty.faults().inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.attempt(1), Trigger.sqlContains("INSERT"))
        .dropConnection());
    txs.useTransaction(tx -> tx.update("INSERT INTO fi_hikari VALUES (1, 1)"));
    assertEquals(List.of(1L), db.queryLongs("SELECT id FROM fi_hikari"));
    faulty.recorder().assertAttempts(2);
    faulty.recorder().assertRetried(FailureKind.CONNECTION_LOST);
    // HikariCP saw the 90067 failure and closed that physical connection
    assertTrue(faulty.recorder().events().stream().anyMatch(e -> e.connection() == 1
        && e.method().equals("Connection.close")), faulty.recorder().dump());
    assertTrue(faulty.recorder().events().stream().anyMatch(e -> e.connection() == 2), "a new physical connection");
  }

  @Test
  void rollbackForwardedByThePoolIsAttributedToTxkit() {
    faulty.faults().inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.attempt(1)).fail(Failures.h2().deadlock()));
    txs.useTransaction(tx -> tx.update("INSERT INTO fi_hikari VALUES (1, 1)"));
    assertEquals(List.of(1L), db.queryLongs("SELECT id FROM fi_hikari"));
    faulty.recorder().assertAttempts(2);
    faulty.recorder().assertRollbackIssuedByLibrary();
    faulty.recorder().assertNoStatementAfterTransactionFailure();
  }

  @Test
  void poolResetOnCloseIsNotMistakenForTxkitsRollback() throws Exception {
    try (var c = pool.getConnection()) {
      c.setAutoCommit(false);
      c.createStatement().executeUpdate("INSERT INTO fi_hikari VALUES (1, 1)");
      // closed without commit or rollback: HikariCP rolls back on close
    }
    assertEquals(List.of(), db.queryLongs("SELECT id FROM fi_hikari"));
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        faulty.recorder()::assertRollbackIssuedByLibrary);
    assertTrue(e.getMessage().contains("com.zaxxer.hikari"), e.getMessage());
  }
}
