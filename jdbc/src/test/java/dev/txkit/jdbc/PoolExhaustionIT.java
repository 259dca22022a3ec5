package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Propagation;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Waiting for a pooled connection that never comes is not a lost connection: a nested {@code REQUIRES_NEW} call
 * on a pool whose only connection the outer transaction holds fails within about twice the pool's timeout, with
 * exactly one attempt per call level, and says why: the pool is exhausted (its size), this thread already holds
 * connections of it (how many), and {@code REQUIRES_NEW} needs a second one.
 *
 * <p>Measured on main before the engine rewrite (issue 8): HikariCP with a pool of one and a 250 ms connection
 * timeout: 110 attempts (10 outer x (1 + 10 inner)) and 37.5 to 40.2 s, ending in {@code ConnectionLostException};
 * H2's {@code JdbcConnectionPool} of one with a 1 s login timeout: 110 attempts, 111.6 s.
 *
 * <p>The contract checked on the message: it contains "exhausted", "REQUIRES_NEW", the pool size as
 * "size N" (when the pool tells it) and the connections this thread holds as "holds N".
 */

class PoolExhaustionIT {

  private static final Duration POOL_TIMEOUT = Duration.ofMillis(250);

  private static HikariDataSource hikariOfOne(TestDb db) {
    db.requireReachable();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.url());
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(POOL_TIMEOUT.toMillis());
    config.setPoolName("t8-one-" + db.database());
    return new HikariDataSource(config);
  }

  /** Runs an outer transaction with a nested REQUIRES_NEW one; returns the failure and checks the attempts. */
  private static RuntimeException nestedRequiresNew(DataSource ds, Duration within) {
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(ds).listener(rec).build();
    long start = System.nanoTime();
    RuntimeException e = assertThrows(RuntimeException.class, () -> txs.useTransaction(
        TxOptions.builder().name("outer").build(), tx -> {
          tx.queryOne("SELECT 1", Integer.class);
          txs.useTransaction(TxOptions.builder().name("audit").propagation(Propagation.REQUIRES_NEW).build(),
              audit -> audit.queryOne("SELECT 1", Integer.class));
        }));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(1, rec.attempts("outer"), "one outer attempt: " + e);
    assertEquals(1, rec.attempts("audit"), "one nested attempt: " + e);
    assertTrue(took.compareTo(within) <= 0, "failed after " + took.toMillis() + " ms, expected within "
        + within.toMillis() + " ms: " + e);
    return e;
  }

  private static void assertExplains(RuntimeException e, int size, int held) {
    String m = e.getMessage();
    assertTrue(m.toLowerCase(Locale.ROOT).contains("exhausted"), m);
    assertTrue(m.contains("REQUIRES_NEW"), m);
    if (size > 0) {
      assertTrue(m.contains("size " + size), m);
    }
    assertTrue(m.contains("holds " + held), m);
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void hikariPoolOfOneFailsFastWithOneAttemptPerLevel(TestDb db) {
    try (HikariDataSource pool = hikariOfOne(db)) {
      // about twice the pool's timeout, plus room for a loaded build machine
      RuntimeException e = nestedRequiresNew(pool, POOL_TIMEOUT.multipliedBy(2).plusMillis(250));
      assertExplains(e, 1, 1);
    }
  }

  @Test
  void hikariPoolOfOneExhaustedByAnotherThreadFailsWithinTheTimeout() throws Exception {
    TestDb db = TestDatabases.h2();
    try (HikariDataSource pool = hikariOfOne(db); Connection taken = pool.getConnection()) {
      RtKit.Recorder rec = new RtKit.Recorder();
      Transactions txs = Transactions.builder(pool).listener(rec).build();
      long start = System.nanoTime();
      RuntimeException e = assertThrows(RuntimeException.class, () -> txs.useTransaction(
          TxOptions.builder().name("starved").build(), tx -> tx.queryOne("SELECT 1", Integer.class)));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(1, rec.attempts("starved"), "waiting for the pool is not retried blindly: " + e);
      assertTrue(took.compareTo(POOL_TIMEOUT.multipliedBy(2).plusMillis(250)) <= 0, took.toMillis() + " ms");
      assertExplains(e, 1, 0);
    }
  }

  @Test
  void h2ConnectionPoolOfOneFailsFastWithOneAttemptPerLevel() {
    TestDb db = TestDatabases.h2();
    JdbcConnectionPool pool = JdbcConnectionPool.create(db.url(), "", "");
    pool.setMaxConnections(1);
    pool.setLoginTimeout(1); // seconds: H2's pool throws 08001 "Login timeout" after it
    try {
      RuntimeException e = nestedRequiresNew(pool, Duration.ofMillis(2_250));
      assertExplains(e, 1, 1);
    } finally {
      pool.dispose();
    }
  }

  @Test
  void postgresRefusingASecondConnectionFailsAtOnce() throws Exception {
    TestDb db = TestDatabases.postgres();
    db.exec("DROP ROLE IF EXISTS t8_one", "CREATE ROLE t8_one LOGIN CONNECTION LIMIT 1");
    try {
      String url = db.url().replace("user=postgres", "user=t8_one");
      // the server answers 53300 "too many connections for role" at once
      RuntimeException e = nestedRequiresNew(new SingleUseDataSource(() -> DriverManager.getConnection(url)),
          Duration.ofSeconds(2));
      assertExplains(e, 0, 1);
    } finally {
      db.exec("DROP ROLE t8_one");
    }
  }

  @Test
  void mariadbRefusingASecondConnectionFailsAtOnce() throws Exception {
    TestDb db = TestDatabases.mariadb();
    String database;
    try (Connection c = db.connect()) {
      database = ServerState.string(c, "SELECT DATABASE()");
    }
    db.exec("DROP USER IF EXISTS 't8_one'@'%'", "CREATE USER 't8_one'@'%' WITH MAX_USER_CONNECTIONS 1",
        "GRANT SELECT ON `" + database + "`.* TO 't8_one'@'%'");
    try {
      String url = db.url().replace("user=root", "user=t8_one");
      // the server answers 1226 (SQLState 42000) "has exceeded the 'max_user_connections' resource" at once
      RuntimeException e = nestedRequiresNew(new SingleUseDataSource(() -> DriverManager.getConnection(url)),
          Duration.ofSeconds(2));
      assertExplains(e, 0, 1);
    } finally {
      db.exec("DROP USER 't8_one'@'%'");
    }
  }
}
