package dev.txkit.jdbc;

import static dev.txkit.jdbc.RtKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.ConnectionLostException;
import dev.txkit.FailureKind;
import dev.txkit.TxOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connections lost before and during COMMIT on PostgreSQL, with real backends terminated by another session
 * ({@code pg_terminate_backend}), and a commit that was applied but whose reply was lost.
 */
class CommitOutcomeIT {

  private final TestDatabases.TestDb db = TestDatabases.postgres();
  private HikariDataSource pool;
  private final AtomicInteger pid = new AtomicInteger();

  @BeforeEach
  void setUp() {
    db.createTable("rt_commit_acct", "id INT PRIMARY KEY, v INT NOT NULL");
    db.exec("INSERT INTO rt_commit_acct VALUES (1, 0), (2, 0)");
    pool = RtKit.pool(db, 4, null);
  }

  @AfterEach
  void tearDown() {
    pool.close();
  }

  /** Terminates a backend from another session and waits until it is gone. */
  private void terminate(int backendPid) throws SQLException {
    try (Connection killer = db.connect();
        PreparedStatement ps = killer.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
      ps.setInt(1, backendPid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertTrue(rs.getBoolean(1), "backend " + backendPid + " was terminated");
      }
    }
  }

  /** The transfer under test: one execution adds 1 to both rows; it records its backend pid first. */
  private int transfer(Tx tx) {
    pid.set(tx.queryOne("SELECT pg_backend_pid()", Integer.class));
    tx.updateOne("UPDATE rt_commit_acct SET v = v + 1 WHERE id = 1");
    tx.updateOne("UPDATE rt_commit_acct SET v = v + 1 WHERE id = 2");
    return tx.attempt();
  }

  private List<Long> values() {
    return db.queryLongs("SELECT v FROM rt_commit_acct ORDER BY id");
  }

  @Test
  void backendKilledBetweenTwoStatementsIsRetriedOnANewConnection() throws Exception {
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(pool).listener(rec).build();
    CountDownLatch firstDone = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    ExecutorService killer = Executors.newSingleThreadExecutor();
    try {
      Future<?> kill = killer.submit(() -> {
        await(firstDone);
        terminate(pid.get());
        killed.countDown();
        return null;
      });
      int attempts = txs.inTransaction(TxOptions.builder().name("killed").build(), tx -> {
        pid.set(tx.queryOne("SELECT pg_backend_pid()", Integer.class));
        tx.updateOne("UPDATE rt_commit_acct SET v = v + 1 WHERE id = 1");
        if (tx.attempt() == 1) {
          firstDone.countDown();
          await(killed);
        }
        tx.updateOne("UPDATE rt_commit_acct SET v = v + 1 WHERE id = 2");
        return tx.attempt();
      });
      kill.get(20, TimeUnit.SECONDS);
      assertEquals(2, attempts);
    } finally {
      killer.shutdownNow();
    }
    assertEquals(2, rec.attempts("killed"));
    assertEquals(FailureKind.CONNECTION_LOST, rec.retries.get(0).classification().kind());
    assertInstanceOf(ConnectionLostException.class, rec.retries.get(0).failure());
    assertEquals(List.of(1L, 1L), values());
  }

  /**
   * A data source whose connections, when armed, make {@code commit()} fail once: either another session
   * terminates the backend before the real commit ({@code applied == false}), or the real commit runs and then
   * the reply is "lost" ({@code applied == true}).
   */
  private DataSource failingCommit(AtomicBoolean armed, boolean applied) {
    return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
        (p, m, args) -> {
          Object r = invoke(m, pool, args);
          if (!m.getName().equals("getConnection")) {
            return r;
          }
          Connection c = (Connection) r;
          return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
              (p2, m2, a2) -> {
                if (m2.getName().equals("commit") && armed.compareAndSet(true, false)) {
                  if (applied) {
                    c.commit();
                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                  }
                  terminate(pid.get());
                }
                return invoke(m2, c, a2);
              });
        });
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void backendKilledDuringCommitIsUnknownAndNotRetried() {
    AtomicBoolean armed = new AtomicBoolean(true);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(failingCommit(armed, false)).listener(rec).build();
    CommitOutcomeUnknownException e = assertThrows(CommitOutcomeUnknownException.class,
        () -> txs.inTransaction(TxOptions.builder().name("unknown").build(), this::transfer));
    assertTrue(e.getCause() instanceof SQLException, "the commit's failure is the cause: " + e.getCause());
    assertEquals(1, rec.attempts("unknown"));
    assertEquals(1, rec.outcomeUnknown.get());
    assertEquals(List.of(0L, 0L), values(), "the killed backend's transaction never committed");
  }

  @Test
  void backendKilledDuringCommitIsRetriedWhenIdempotent() {
    AtomicBoolean armed = new AtomicBoolean(true);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(failingCommit(armed, false)).listener(rec).build();
    int attempts = txs.inTransaction(TxOptions.builder().name("idem").idempotent(true).build(), this::transfer);
    assertEquals(2, attempts);
    assertEquals(2, rec.attempts("idem"));
    assertEquals(List.of(1L, 1L), values());
  }

  @Test
  void backendKilledDuringCommitIsResolvedAsAbortedAndRetried() {
    AtomicBoolean armed = new AtomicBoolean(true);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(failingCommit(armed, false)).listener(rec).resolveCommitOutcome(true)
        .build();
    int attempts = txs.inTransaction(TxOptions.builder().name("resolved").build(), this::transfer);
    assertEquals(2, attempts);
    assertEquals(2, rec.attempts("resolved"));
    assertEquals(0, rec.outcomeUnknown.get());
    assertEquals(FailureKind.CONNECTION_LOST, rec.retries.get(0).classification().kind());
    assertEquals(List.of(1L, 1L), values(), "exactly one execution");
  }

  @Test
  void commitAppliedButReplyLostIsResolvedAsCommittedWithoutRetry() {
    AtomicBoolean armed = new AtomicBoolean(true);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(failingCommit(armed, true)).listener(rec).resolveCommitOutcome(true)
        .build();
    List<String> hooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    int attempts = txs.inTransaction(TxOptions.builder().name("applied").build(), tx -> {
      tx.afterCommit(() -> hooks.add("committed"));
      return transfer(tx);
    });
    assertEquals(1, attempts);
    assertEquals(1, rec.attempts("applied"));
    assertEquals(1, rec.commits("applied"));
    assertTrue(rec.retries.isEmpty());
    assertEquals(List.of("committed"), hooks);
    assertEquals(List.of(1L, 1L), values(), "exactly one execution, not two");
  }

  @Test
  void commitAppliedButReplyLostIsUnknownWithoutResolver() {
    AtomicBoolean armed = new AtomicBoolean(true);
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(failingCommit(armed, true)).listener(rec).build();
    assertThrows(CommitOutcomeUnknownException.class,
        () -> txs.inTransaction(TxOptions.builder().name("applied").build(), this::transfer));
    assertEquals(1, rec.attempts("applied"));
    assertEquals(List.of(1L, 1L), values(), "it did commit, once; txkit did not retry it");
  }

  @Test
  void backendKilledAfterTheLastStatementIsAKnownRollbackForTheResolver() throws Exception {
    // the connection is gone before COMMIT is sent (found while recording the transaction id): nothing can
    // have committed, so this is a plain lost connection, retried, not an unknown outcome
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(pool).listener(rec).resolveCommitOutcome(true).build();
    int attempts = txs.inTransaction(TxOptions.builder().name("lastStatement").build(), tx -> {
      int a = transfer(tx);
      if (a == 1) {
        terminate(pid.get());
      }
      return a;
    });
    assertEquals(2, attempts);
    assertEquals(2, rec.attempts("lastStatement"));
    assertEquals(0, rec.outcomeUnknown.get());
    assertEquals(FailureKind.CONNECTION_LOST, rec.retries.get(0).classification().kind());
    assertEquals(List.of(1L, 1L), values());
  }
}
