package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.testing.Fault;
import dev.txkit.testing.Faults;
import dev.txkit.testing.FaultyDataSource;
import dev.txkit.testing.Point;
import dev.txkit.testing.Sweep;
import dev.txkit.testing.SweepCase;
import dev.txkit.testing.SweepKind;
import dev.txkit.testing.SweepReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three transfers written by hand, each broken in a way users get wrong, and the sweep that catches each one on
 * H2, PostgreSQL and MariaDB. Each of them passes a plain happy-path test.
 */
class BrokenTransfersSweepIT {

  private static final String TABLE = "ex_broken_accounts";
  private static final String DEBIT = "UPDATE " + TABLE + " SET balance = balance - ? WHERE id = ?";
  private static final String CREDIT = "UPDATE " + TABLE + " SET balance = balance + ? WHERE id = ?";

  private static void update(Connection c, String sql, long amount, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, amount);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
  }

  private static boolean isDeadlock(SQLException e) {
    return "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  /** Catches a deadlock, logs it and carries on with the next statement, as if only that statement failed. */
  static void carryOnAfterDeadlock(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      for (String sql : List.of(DEBIT, CREDIT)) {
        try {
          update(c, sql, 30, sql.equals(DEBIT) ? 1 : 2);
        } catch (SQLException e) {
          if (!isDeadlock(e)) {
            c.rollback();
            throw e;
          }
          // "logged": the code believes only this statement failed
        }
      }
      c.commit();
      c.setAutoCommit(true);
    }
  }

  /** Retries the whole transaction on any failure, the commit's too: a lost reply makes it commit twice. */
  static void retryEverything(DataSource ds) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        try {
          update(c, DEBIT, 30, 1);
          update(c, CREDIT, 30, 2);
          c.commit();
          c.setAutoCommit(true);
          return;
        } catch (SQLException e) {
          try {
            c.rollback();
          } catch (SQLException ignored) {
            // the connection is gone; the retry takes a new one
          }
          if (attempt == 3) {
            throw e;
          }
        }
      }
    }
  }

  /** No transaction at all: two statements in autocommit mode. */
  static void autocommitTransfer(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection()) {
      update(c, DEBIT, 30, 1);
      update(c, CREDIT, 30, 2);
    }
  }

  private static long total(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT SUM(balance) FROM " + TABLE)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<Long> balances(DataSource ds) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT balance FROM " + TABLE + " ORDER BY id")) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private static Sweep.Builder sweep(TestDb db) {
    db.createTable(TABLE, "id BIGINT PRIMARY KEY, balance BIGINT NOT NULL");
    db.exec("INSERT INTO " + TABLE + " VALUES (1, 100), (2, 50)");
    return Sweep.builder(db.dataSource()).tables(TABLE).kinds(SweepKind.TRANSIENT, SweepKind.CONNECTION_LOSS,
        SweepKind.UNKNOWN_OUTCOME);
  }

  private static List<SweepCase> wrongAt(SweepReport report, Point point, SweepKind kind, String sql) {
    return report.wrong().stream().filter(c -> c.point() == point && c.kind() == kind && c.site().contains(sql))
        .toList();
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void carryingOnAfterADeadlockCommitsHalfOrLosesTheTransfer(TestDb db) throws Exception {
    SweepReport report = sweep(db).name("carry on after a deadlock").unit(txs -> carryOnAfterDeadlock(txs.dataSource()))
        .run();
    System.out.println(report);
    try {
      if (db.database() == Database.POSTGRESQL) {
        // PostgreSQL aborted the transaction: its COMMIT rolls back, and pgjdbc reports success
        List<SweepCase> lost = wrongAt(report, Point.STATEMENT_BEFORE, SweepKind.TRANSIENT, CREDIT);
        assertEquals(1, lost.size(), report.toString());
        assertTrue(lost.get(0).outcome().returned());
        assertTrue(lost.get(0).reason().contains("the work is missing"), lost.get(0).reason());
      } else {
        // MariaDB and H2 rolled the transaction back: the credit runs alone in a new one and commits
        List<SweepCase> half = wrongAt(report, Point.STATEMENT_BEFORE, SweepKind.TRANSIENT, DEBIT);
        assertEquals(1, half.size(), report.toString());
        assertTrue(half.get(0).outcome().returned());
        assertTrue(half.get(0).reason().contains("part of the work"), half.get(0).reason());
        assertTrue(half.get(0).effect().contains("balance=100"), half.get(0).effect());
      }
    } finally {
      db.exec("DROP TABLE IF EXISTS " + TABLE);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void retryingACommitWithUnknownOutcomeAppliesTheTransferTwice(TestDb db) throws Exception {
    SweepReport report = sweep(db).name("retry everything").unit(txs -> retryEverything(txs.dataSource())).run();
    System.out.println(report);
    try {
      List<SweepCase> twice = wrongAt(report, Point.COMMIT_AFTER, SweepKind.UNKNOWN_OUTCOME, "");
      assertEquals(1, twice.size(), report.toString());
      SweepCase c = twice.get(0);
      assertTrue(c.outcome().returned(), "the caller saw success");
      assertTrue(c.reason().contains("the work twice"), c.reason());
      assertTrue(c.effect().contains("balance=40") && c.effect().contains("balance=110"), c.effect());
      // the printed code replays it: pasted here, it applies the transfer twice again
      assertEquals("faults.inject(Fault.at(Point.COMMIT_AFTER)\n    .dropConnection());", c.replay());
      FaultyDataSource ds = FaultyDataSource.wrap(db.dataSource());
      Faults faults = ds.faults();
      faults.inject(Fault.at(Point.COMMIT_AFTER)
          .dropConnection());
      retryEverything(ds);
      assertEquals(150, total(db.dataSource()), "the total is conserved: both statements ran twice");
      assertEquals(List.of(40L, 110L), balances(db.dataSource()), "debited and credited twice");
    } finally {
      db.exec("DROP TABLE IF EXISTS " + TABLE);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void twoAutocommitUpdatesCommitHalfATransfer(TestDb db) throws Exception {
    SweepReport report = sweep(db).name("autocommit").unit(txs -> autocommitTransfer(txs.dataSource())).run();
    System.out.println(report);
    try {
      for (SweepKind kind : List.of(SweepKind.TRANSIENT, SweepKind.CONNECTION_LOSS)) {
        List<SweepCase> half = wrongAt(report, Point.STATEMENT_BEFORE, kind, CREDIT);
        assertEquals(1, half.size(), report.toString());
        assertFalse(half.get(0).outcome().returned(), "the caller saw the failure");
        assertTrue(half.get(0).reason().contains("part of the work"), half.get(0).reason());
      }
    } finally {
      db.exec("DROP TABLE IF EXISTS " + TABLE);
    }
  }
}
