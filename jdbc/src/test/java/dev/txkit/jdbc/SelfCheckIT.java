package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.Isolation;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionWarning;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The driver self-check against the real drivers and servers, with the settings provoked per session or per URL
 * (never globally): a clean configuration gives no warning; pgjdbc's autosave, a HikariCP pool with autocommit
 * off, a long MariaDB lock wait, H2's short lock timeout and LOCK_MODE=0, and isolation levels the database runs
 * differently each give one warning that says what to change.
 */
class SelfCheckIT {

  static List<TestDatabases.TestDb> all() {
    return TestDatabases.all();
  }

  private static HikariDataSource pool(String url, boolean autoCommit) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setMaximumPoolSize(2);
    c.setMinimumIdle(0);
    c.setAutoCommit(autoCommit);
    c.setPoolName("selfcheck");
    return new HikariDataSource(c);
  }

  private static String with(TestDatabases.TestDb db, String setting) {
    return db.url() + (db.database() == Database.H2 ? ";" : db.url().contains("?") ? "&" : "?") + setting;
  }

  private static TransactionWarning only(List<TransactionWarning> warnings) {
    assertEquals(1, warnings.size(), warnings.toString());
    TransactionWarning w = warnings.get(0);
    assertEquals(TransactionWarning.Kind.CONFIGURATION, w.kind());
    return w;
  }

  @ParameterizedTest
  @MethodSource("all")
  void aCleanConfigurationGivesNoWarning(TestDatabases.TestDb db) {
    Transactions txs = Transactions.create(db.dataSource());
    txs.useTransaction(tx -> tx.queryOne("SELECT 1", Integer.class));
    assertEquals(List.of(), txs.configurationWarnings());
  }

  @ParameterizedTest
  @MethodSource("all")
  void aPoolWithAutocommitOffIsReportedAndTheListenerHearsIt(TestDatabases.TestDb db) {
    db.requireReachable();
    List<TransactionWarning> heard = new CopyOnWriteArrayList<>();
    try (HikariDataSource pool = pool(db.url(), false); CapturedLogs.Capture logs = CapturedLogs.capture(false)) {
      Transactions txs = Transactions.builder(pool).listener(new TransactionListener() {
        @Override
        public void onWarning(TransactionWarning warning) {
          heard.add(warning);
        }
      }).build();
      txs.useTransaction(tx -> tx.queryOne("SELECT 1", Integer.class));
      TransactionWarning w = only(txs.configurationWarnings());
      assertTrue(w.message().startsWith("HikariCP pool 'selfcheck' (autoCommit=false)"), w.message());
      assertTrue(w.message().contains("Set autoCommit=true"), w.message());
      assertEquals(List.of(w), heard);
      assertTrue(logs.lines().contains("WARN [txkit] " + w.message()), logs.lines().toString());
    }
  }

  @Test
  void pgjdbcAutosaveIsReported() {
    TestDatabases.TestDb db = TestDatabases.postgres();
    db.requireReachable();
    try (HikariDataSource pool = pool(with(db, "autosave=always"), true)) {
      Transactions txs = Transactions.create(pool);
      TransactionWarning w = only(txs.configurationWarnings());
      assertTrue(w.message().startsWith("pgjdbc runs with autosave=always"), w.message());
      assertTrue(w.message().contains("remove autosave"), w.message());
    }
  }

  @Test
  void aLongMariadbLockWaitIsReported() {
    TestDatabases.TestDb db = TestDatabases.mariadb();
    db.requireReachable();
    try (HikariDataSource pool = pool(with(db, "sessionVariables=innodb_lock_wait_timeout=600"), true)) {
      Transactions txs = Transactions.create(pool);
      TransactionWarning w = only(txs.configurationWarnings());
      assertTrue(w.message().startsWith("innodb_lock_wait_timeout is 600 s"), w.message());
    }
  }

  @Test
  void h2ShortLockTimeoutAndLockModeZeroAreReported() {
    TestDatabases.TestDb db = TestDatabases.h2();
    try (HikariDataSource pool = pool(with(db, "LOCK_TIMEOUT=0"), true)) {
      TransactionWarning w = only(Transactions.create(pool).configurationWarnings());
      assertTrue(w.message().startsWith("H2's LOCK_TIMEOUT is 0 ms"), w.message());
    }
    try (HikariDataSource pool = pool(with(TestDatabases.h2(), "LOCK_MODE=0"), true)) {
      TransactionWarning w = only(Transactions.create(pool).configurationWarnings());
      assertTrue(w.message().startsWith("H2 runs with LOCK_MODE=0"), w.message());
    }
  }

  @Test
  void postgresReadUncommittedIsReportedOnceAtItsFirstUse() {
    Transactions txs = Transactions.create(TestDatabases.postgres().dataSource());
    txs.useTransaction(tx -> tx.queryOne("SELECT 1", Integer.class));
    assertEquals(List.of(), txs.configurationWarnings());
    txs.useTransaction(Isolation.READ_UNCOMMITTED, tx -> tx.queryOne("SELECT 1", Integer.class));
    txs.useTransaction(Isolation.READ_UNCOMMITTED, tx -> tx.queryOne("SELECT 1", Integer.class));
    TransactionWarning w = only(txs.configurationWarnings());
    assertTrue(w.message().startsWith("PostgreSQL accepts READ UNCOMMITTED but runs it as READ COMMITTED"),
        w.message());
    txs.useTransaction(Isolation.SERIALIZABLE, tx -> tx.queryOne("SELECT 1", Integer.class));
    assertEquals(1, txs.configurationWarnings().size(), "PostgreSQL's SERIALIZABLE is what it says");
  }

  @Test
  void h2SerializableIsReported() {
    Transactions txs = Transactions.create(TestDatabases.h2().dataSource());
    txs.useTransaction(Isolation.SERIALIZABLE, tx -> tx.queryOne("SELECT 1", Integer.class));
    TransactionWarning w = only(txs.configurationWarnings());
    assertTrue(w.message().startsWith("H2's SERIALIZABLE does not prevent write skew"), w.message());
  }

  @Test
  void theSelfCheckCanBeTurnedOff() {
    TestDatabases.TestDb db = TestDatabases.h2();
    try (HikariDataSource pool = pool(with(db, "LOCK_TIMEOUT=0"), true)) {
      Transactions txs = Transactions.builder(pool).selfCheck(false).build();
      txs.useTransaction(Isolation.SERIALIZABLE, tx -> tx.queryOne("SELECT 1", Integer.class));
      assertEquals(List.of(), txs.configurationWarnings());
    }
  }
}
