package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code tx.lockRows} with more keys than the driver can bind in one statement (PostgreSQL: 65,535 parameters;
 * H2: 100,000; MariaDB with server-side prepared statements: 65,535) locks them all, still in the canonical order;
 * keys of a type that does not match the key column are refused before any row is locked.
 */
class LockRowsIT {

  /** A database, a URL to reach it with, and more keys than its driver binds in one statement. */
  static Stream<Arguments> large() {
    TestDb mariadb = TestDatabases.mariadb();
    String serverPrepared = mariadb.url() + (mariadb.url().contains("?") ? "&" : "?") + "useServerPrepStmts=true";
    return Stream.of(Arguments.of(TestDatabases.postgres(), TestDatabases.postgres().url(), 70_000),
        Arguments.of(TestDatabases.h2(), null, 100_500),
        Arguments.of(mariadb, serverPrepared, 70_000));
  }

  private static void fill(TestDb db, int rows) {
    db.createTable("t8_lock_many", "id BIGINT PRIMARY KEY");
    switch (db.database()) {
      case POSTGRESQL:
        db.exec("INSERT INTO t8_lock_many SELECT generate_series(1, " + rows + ")");
        break;
      case MARIADB:
        db.exec("INSERT INTO t8_lock_many SELECT seq FROM seq_1_to_" + rows);
        break;
      default:
        db.exec("INSERT INTO t8_lock_many SELECT X FROM SYSTEM_RANGE(1, " + rows + ")");
    }
  }

  /** Tries to lock one row from another session without waiting; true if it is free. */
  private static boolean lockableElsewhere(TestDb db, Connection other, long id) throws SQLException {
    other.setAutoCommit(false);
    try (Statement st = other.createStatement()) {
      if (db.database() == Database.H2) {
        st.execute("SET LOCK_TIMEOUT 1");
      }
      st.executeQuery("SELECT id FROM t8_lock_many WHERE id = " + id + " FOR UPDATE"
          + (db.database() == Database.H2 ? "" : " NOWAIT")).close();
      return true;
    } catch (SQLException e) {
      return false;
    } finally {
      other.rollback();
    }
  }

  @ParameterizedTest
  @MethodSource("large")
  void moreKeysThanOneStatementCanBindAreAllLockedInOrder(TestDb db, String url, int count) throws Exception {
    int rows = count - 100;
    fill(db, rows);
    List<Long> keys = new ArrayList<>(count);
    for (long i = 1; i <= count; i++) {
      keys.add(i);
    }
    Collections.shuffle(keys, new Random(8));
    List<Long> expected = new ArrayList<>(rows);
    for (long i = 1; i <= rows; i++) {
      expected.add(i);
    }
    Transactions txs = Transactions.create(url == null ? db.dataSource() : new DriverDataSource(url));
    try (Connection other = db.connect()) {
      List<Long> locked = txs.inTransaction(tx -> {
        List<Long> got = tx.lockRows("t8_lock_many", "id", keys);
        assertTrue(!lockableElsewhere(db, other, 1) && !lockableElsewhere(db, other, rows),
            "the first and the last row are locked");
        return got;
      });
      assertEquals(expected, locked, "every existing key, ascending");
      assertTrue(lockableElsewhere(db, other, rows), "released at the end");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void keysOfAnotherTypeThanTheColumnAreRefusedBeforeAnyRowIsLocked(TestDb db) throws Exception {
    fill(db, 10);
    Transactions txs = Transactions.create(db.dataSource());
    try (Connection other = db.connect()) {
      txs.useTransaction(tx -> {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> tx.lockRows("t8_lock_many", "id", List.of("2", "1", "abc")));
        assertTrue(e.getMessage().contains("String") && e.getMessage().contains("id")
            && e.getMessage().contains("t8_lock_many"), e.getMessage());
        assertTrue(lockableElsewhere(db, other, 1) && lockableElsewhere(db, other, 2), "no row was locked");
        // the transaction is unharmed and goes on
        assertEquals(List.of(1, 2), tx.lockRows("t8_lock_many", "id", List.of(2, 1)),
            "integer keys on a BIGINT column are fine: numbers compare by value");
      });
    }
  }

  /** A data source that connects with a URL of its own, e.g. with driver options. */
  static final class DriverDataSource extends SingleUseDataSource {
    DriverDataSource(String url) {
      super(() -> DriverManager.getConnection(url));
    }
  }
}
