package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commit-marker resolver on the single MariaDB server: a COMMIT whose reply is lost after the server applied
 * it, a session killed before its COMMIT arrived, a session that lingers with its transaction open (and the late
 * COMMIT that may still arrive on it, at every step of the resolver), the markers themselves, their cleanup, and
 * the errors for a missing table or another database. The truth is read from the database: how often the
 * transfer was applied, which markers exist.
 */
class CommitMarkersIT {

  private static final String MARKERS = "rt_markers";
  private static final TxOptions TRANSFER = TxOptions.builder().name("transfer").build();

  private final TestDatabases.TestDb db = TestDatabases.mariadb();
  private HikariDataSource pool;

  @BeforeEach
  void setUp() {
    db.createTable("rt_marker_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_marker_acct VALUES (1, 0), (2, 0)", "DROP TABLE IF EXISTS " + MARKERS,
        CommitMarkers.createTableSql(MARKERS));
    pool = db.newPool(4);
  }

  @AfterEach
  void tearDown() {
    pool.close();
    db.exec("DROP TABLE IF EXISTS " + MARKERS);
  }

  private Transactions txkit(DataSource ds, RtKit.Recorder rec) {
    return Transactions.builder(ds).listener(rec).commitMarkers(CommitMarkers.builder(MARKERS)
        .resolveTimeout(java.time.Duration.ofSeconds(10)).build()).build();
  }

  /** One execution adds 1 to both rows. */
  private static int transfer(Tx tx) {
    tx.updateOne("UPDATE rt_marker_acct SET v = v + 1 WHERE id = 1");
    tx.updateOne("UPDATE rt_marker_acct SET v = v + 1 WHERE id = 2");
    return tx.attempt();
  }

  private List<Long> values() {
    return db.queryLongs("SELECT v FROM rt_marker_acct ORDER BY id");
  }

  private long markers(String where) {
    return db.queryLong("SELECT COUNT(*) FROM " + MARKERS + " WHERE " + where);
  }

  @Test
  void eachReadWriteTransactionCommitsItsMarkerWithItsSessionAndServer() throws Exception {
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = txkit(pool, rec);
    String where = txs.inTransaction(tx -> {
      transfer(tx);
      return tx.queryOne("SELECT CONCAT('session = ', CONNECTION_ID(), ' AND server = ''', @@hostname, ':', @@port, "
          + "'''')", String.class);
    });
    txs.useTransaction(tx -> tx.queryOne("SELECT 1", Integer.class));
    assertEquals(2, markers("TRUE"), "one marker per read-write transaction");
    assertTrue(markers(where + " AND NOT fenced AND created BETWEEN UNIX_TIMESTAMP() - 60 AND UNIX_TIMESTAMP()") >= 1,
        "the marker names the session and the server: " + where);

    txs.inTransaction(TxOptions.builder().readOnly(true).build(), tx -> tx.queryOne("SELECT 1", Integer.class));
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      transfer(tx);
      throw new IllegalStateException("rolled back");
    }));
    assertEquals(2, markers("TRUE"), "none for a read-only or a rolled-back transaction");
    assertEquals(List.of(1L, 1L), values());
  }

  @Test
  void commitAppliedButReplyLostIsResolvedAsCommittedWithoutRetry() {
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = txkit(LostCommitDataSource.of(pool, LostCommitDataSource.Mode.APPLIED), rec);
    List<String> hooks = new CopyOnWriteArrayList<>();
    int attempt = txs.inTransaction(TRANSFER, tx -> {
      tx.afterCommit(() -> hooks.add("committed"));
      return transfer(tx);
    });
    assertEquals(1, attempt);
    assertEquals(1, rec.attempts("transfer"));
    assertEquals(0, rec.outcomeUnknown.get());
    assertEquals(List.of("committed"), hooks);
    assertEquals(List.of(1L, 1L), values(), "applied exactly once");
    assertEquals(1, markers("NOT fenced"));
  }

  @Test
  void sessionKilledBeforeItsCommitArrivedIsFencedAndRetried() {
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = txkit(LostCommitDataSource.of(pool, LostCommitDataSource.Mode.KILLED), rec);
    int attempt = txs.inTransaction(TRANSFER, this::transferAndCheck);
    assertEquals(2, attempt, "not committed: retried once; " + retries(rec));
    assertEquals(2, rec.attempts("transfer"));
    assertEquals(0, rec.outcomeUnknown.get());
    assertEquals(FailureKind.CONNECTION_LOST, rec.retries.get(0).classification().kind());
    assertEquals(List.of(1L, 1L), values(), "applied exactly once");
    assertEquals(1, markers("fenced"), "the lost attempt's key is fenced");
    assertEquals(1, markers("NOT fenced"), "the retry committed its own marker");
  }

  private static String retries(RtKit.Recorder rec) {
    StringBuilder sb = new StringBuilder("retries:");
    for (dev.txkit.RetryEvent e : rec.retries) {
      sb.append("\n  ").append(e.classification()).append(": ").append(e.failure());
      for (Throwable c = e.failure().getCause(); c != null; c = c.getCause()) {
        sb.append("\n    caused by ").append(c);
      }
    }
    return sb.toString();
  }

  private int transferAndCheck(Tx tx) {
    return transfer(tx);
  }

  @Test
  void lingeringSessionIsEndedAndItsLateCommitFails() throws Exception {
    RtKit.Recorder rec = new RtKit.Recorder();
    LostCommitDataSource[] handle = new LostCommitDataSource[1];
    // two connections: the lingering one (held), and the one the resolver takes and the retry reuses
    try (HikariDataSource two = db.newPool(2)) {
      // a late COMMIT "before statement 1000": never during the resolution; it is sent after the call instead
      Transactions txs = txkit(LostCommitDataSource.lateCommit(two, 1000, handle), rec);
      try {
        int attempt = txs.inTransaction(TRANSFER, tx -> transfer(tx));
        assertEquals(2, attempt);
        assertEquals(0, rec.outcomeUnknown.get());
        handle[0].lateCommit();
        assertFalse(handle[0].lateCommitted.get(), "the lingering session was ended: its late COMMIT fails");
        assertEquals(0, db.queryLong("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?",
            handle[0].session.get()), "the session is gone");
        // the resolver's settings were per statement: the connection it used is back in the pool unchanged
        long unchanged = txs.inTransaction(tx -> tx.queryOne("SELECT @@session.innodb_lock_wait_timeout = "
            + "@@global.innodb_lock_wait_timeout AND @@session.wsrep_sync_wait = @@global.wsrep_sync_wait",
            Long.class));
        assertEquals(1L, unchanged);
      } finally {
        handle[0].closeHeld();
      }
    }
    assertEquals(List.of(1L, 1L), values(), "applied exactly once");
    assertEquals(1, markers("fenced"));
  }

  /**
   * The lingering session's COMMIT arrives late, just before each statement of the resolver in turn: whatever
   * wins, the outcome reported is the one the database has, the transfer is applied exactly once, and nothing is
   * left unknown.
   */
  @Test
  void aLateCommitAtAnyStepOfTheResolverIsNeverReportedWrongly() throws Exception {
    List<String> seen = new ArrayList<>();
    for (int step = 0; step <= 9; step++) {
      db.exec("UPDATE rt_marker_acct SET v = 0", "DELETE FROM " + MARKERS);
      RtKit.Recorder rec = new RtKit.Recorder();
      LostCommitDataSource[] handle = new LostCommitDataSource[1];
      Transactions txs = txkit(LostCommitDataSource.lateCommit(pool, step, handle), rec);
      int attempt;
      try {
        attempt = txs.inTransaction(TRANSFER, tx -> transfer(tx));
        // a step after the resolver's last statement: the late COMMIT comes after the call
        handle[0].lateCommit();
      } finally {
        handle[0].closeHeld();
      }
      boolean late = handle[0].lateCommitted.get();
      seen.add("step " + step + ": late COMMIT " + (late ? "won" : "refused") + ", attempts " + attempt);
      String at = "late COMMIT before resolver statement " + step + ": " + seen.get(seen.size() - 1);
      assertEquals(List.of(1L, 1L), values(), "applied exactly once; " + at);
      assertEquals(0, rec.outcomeUnknown.get(), at);
      assertEquals(late ? 1 : 2, attempt, "committed late means resolved as committed, else retried; " + at);
      assertEquals(late ? 0 : 1, markers("fenced"), at);
    }
    System.out.println("OBSERVED MariaDB late COMMIT racing the marker resolver: " + seen);
    assertTrue(seen.stream().anyMatch(s -> s.contains("won")), "some step let the late COMMIT win: " + seen);
    assertTrue(seen.stream().anyMatch(s -> s.contains("refused")), "some step fenced it first: " + seen);
  }

  @Test
  void oldMarkersAreDeletedByTheFirstCommitAndThenEveryNth() throws Exception {
    db.exec("INSERT INTO " + MARKERS + " (id, session, server, created) VALUES "
        + "(UNHEX('00000000000000000000000000000001'), 1, 'old', UNIX_TIMESTAMP() - 700), "
        + "(UNHEX('00000000000000000000000000000002'), 1, 'recent', UNIX_TIMESTAMP() - 500)");
    Transactions txs = Transactions.builder(pool).commitMarkers(CommitMarkers.builder(MARKERS).cleanupEvery(3)
        .build()).build();
    txs.useTransaction(tx -> transfer(tx));
    assertEquals(0, markers("server = 'old'"), "older than the retention (10 minutes): deleted by the first commit");
    assertEquals(1, markers("server = 'recent'"), "younger: kept");
    db.exec("UPDATE " + MARKERS + " SET created = created - 200 WHERE server = 'recent'");
    txs.useTransaction(tx -> transfer(tx));
    txs.useTransaction(tx -> transfer(tx));
    assertEquals(1, markers("server = 'recent'"), "the 2nd and 3rd commits do not clean up");
    txs.useTransaction(tx -> transfer(tx));
    assertEquals(0, markers("server = 'recent'"), "the 4th does");
    assertEquals(4, markers("TRUE"), "the transactions' own markers stay");
  }

  @Test
  void aFullBatchOfOldMarkersMakesTheNextCommitCleanUpAgain() throws Exception {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      // 1,500 old markers: more than one cleanup deletes
      st.execute("INSERT INTO " + MARKERS + " (id, session, server, created) SELECT UNHEX(LPAD(HEX(seq), 32, '0')), "
          + "1, 'old', UNIX_TIMESTAMP() - 3600 FROM seq_1_to_1500");
    }
    Transactions txs = Transactions.builder(pool).commitMarkers(MARKERS).build();
    txs.useTransaction(tx -> transfer(tx));
    assertEquals(500, markers("server = 'old'"), "the first commit deletes one batch of 1,000");
    txs.useTransaction(tx -> transfer(tx));
    assertEquals(0, markers("server = 'old'"), "the next deletes the rest, without waiting for the 1,000th");
  }

  @Test
  void aMissingTableFailsTheTransactionWithWhatToDo() {
    db.exec("DROP TABLE " + MARKERS);
    Transactions txs = Transactions.builder(pool).commitMarkers(MARKERS).build();
    DatabaseFailureException e = assertThrows(DatabaseFailureException.class,
        () -> txs.useTransaction(tx -> transfer(tx)));
    assertTrue(e.getMessage().contains("The commit-marker table rt_markers does not exist")
        && e.getMessage().contains("CommitMarkers.createTableSql(\"rt_markers\")")
        && e.getMessage().contains("createTable(true)"), e.getMessage());
    assertEquals(List.of(0L, 0L), values(), "rolled back");
  }

  @Test
  void createTableCreatesTheTableOnFirstUse() {
    db.exec("DROP TABLE " + MARKERS);
    Transactions txs = Transactions.builder(pool).commitMarkers(CommitMarkers.builder(MARKERS).createTable(true)
        .build()).build();
    txs.useTransaction(tx -> transfer(tx));
    assertEquals(1, markers("NOT fenced"));
    assertEquals(List.of(1L, 1L), values());
  }

  @Test
  void onPostgresqlTheFirstTransactionSaysToUsePgXactStatus() {
    Transactions txs = Transactions.builder(TestDatabases.postgres().dataSource()).commitMarkers(MARKERS).build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> txs.inTransaction(tx -> tx.queryOne("SELECT 1", Integer.class)));
    assertTrue(e.getMessage().contains("work on MariaDB, MySQL and Galera, not on POSTGRESQL")
        && e.getMessage().contains("resolveCommitOutcome(true)"), e.getMessage());
  }

  @Test
  void theReadmeShowsTheTablesDdl() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../README.md"));
    assertTrue(readme.contains(CommitMarkers.createTableSql(CommitMarkers.DEFAULT_TABLE)),
        "README.md shows CommitMarkers.createTableSql(\"" + CommitMarkers.DEFAULT_TABLE + "\"):\n"
            + CommitMarkers.createTableSql(CommitMarkers.DEFAULT_TABLE));
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE " + MARKERS);
      st.execute(CommitMarkers.createTableSql(MARKERS));
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + MARKERS)) {
        rs.next();
        assertEquals(0, rs.getInt(1));
      }
    }
  }
}
