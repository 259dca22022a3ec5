package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.ConstraintViolationException;
import dev.txkit.FailureKind;
import dev.txkit.Isolation;
import dev.txkit.Propagation;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRollbackException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Nested calls, with the rows they leave in the database. */
class NestingIT {

  private static final TxOptions JOIN = TxOptions.builder().propagation(Propagation.JOIN).name("join").build();
  private static final TxOptions REQUIRES_NEW =
      TxOptions.builder().propagation(Propagation.REQUIRES_NEW).name("audit").build();
  private static final TxOptions MANDATORY =
      TxOptions.builder().propagation(Propagation.MANDATORY).name("repository").build();

  private static Transactions setUp(TestDb db) {
    db.createTable("t2_nest", "id BIGINT PRIMARY KEY");
    db.createTable("t2_audit", "id BIGINT PRIMARY KEY");
    return Transactions.create(db.dataSource());
  }

  private static List<Long> rows(TestDb db) {
    return db.queryLongs("SELECT id FROM t2_nest ORDER BY id");
  }

  private static void insert(Tx tx, long id) {
    tx.update("INSERT INTO t2_nest VALUES (?)", id);
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void nestedBlockThatThrowsIsUndoneAloneAndItsAfterCommitHooksDropped(TestDb db) {
    Transactions txs = setUp(db);
    List<String> hooks = new ArrayList<>();
    List<List<Long>> seenByHooks = new ArrayList<>();
    IllegalStateException boom = new IllegalStateException("inner failed");
    txs.useTransaction(tx -> {
      insert(tx, 1);
      tx.afterCommit(() -> {
        hooks.add("outer");
        seenByHooks.add(rows(db));
      });
      txs.useTransaction(inner -> {
        insert(inner, 2);
        inner.afterCommit(() -> hooks.add("inner ok"));
      });
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> txs.useTransaction(inner -> {
        insert(inner, 3);
        inner.afterCommit(() -> hooks.add("undone"));
        txs.useTransaction(innermost -> {
          insert(innermost, 4);
          innermost.afterCommit(() -> hooks.add("undone innermost"));
        });
        throw boom;
      }));
      assertSame(boom, e);
      insert(tx, 5);
      tx.afterCommit(() -> hooks.add("outer after"));
    });
    assertEquals(List.of(1L, 2L, 5L), rows(db));
    assertEquals(List.of("outer", "inner ok", "outer after"), hooks, "each surviving hook once, in order");
    assertEquals(List.of(List.of(1L, 2L, 5L)), seenByHooks, "hooks run after the commit");
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void nestedBlockThatHitsAConstraintViolationIsUndoneAndTheOuterCommits(TestDb db) {
    Transactions txs = setUp(db);
    txs.useTransaction(tx -> {
      insert(tx, 1);
      // "insert, or carry on if it exists": on PostgreSQL only the savepoint makes the outer usable again
      ConstraintViolationException e = assertThrows(ConstraintViolationException.class,
          () -> txs.useTransaction(inner -> {
            insert(inner, 2);
            insert(inner, 1);
          }));
      assertEquals(FailureKind.CONSTRAINT_VIOLATION, e.kind());
      insert(tx, 3);
    });
    assertEquals(List.of(1L, 3L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void nestedBlocksThatSucceedAreCommittedWithTheOuter(TestDb db) {
    Transactions txs = setUp(db);
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      insert(tx, 1);
      txs.useTransaction(inner -> insert(inner, 2));
      assertEquals(List.of(), rows(db), "a released savepoint commits nothing by itself");
      throw new IllegalStateException("outer fails");
    }));
    assertEquals(List.of(), rows(db));
    txs.useTransaction(tx -> {
      insert(tx, 1);
      txs.useTransaction(inner -> {
        insert(inner, 2);
        txs.useTransaction(innermost -> insert(innermost, 3));
      });
    });
    assertEquals(List.of(1L, 2L, 3L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void joinedBlockThatThrowsKeepsItsRowsWhenTheOuterCatches(TestDb db) {
    Transactions txs = setUp(db);
    txs.useTransaction(tx -> {
      insert(tx, 1);
      assertThrows(IllegalStateException.class, () -> txs.useTransaction(JOIN, inner -> {
        insert(inner, 2);
        throw new IllegalStateException("inner failed");
      }));
      insert(tx, 3);
    });
    assertEquals(List.of(1L, 2L, 3L), rows(db), "JOIN is plain code inside the outer transaction");
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void requiresNewCommitsOnItsOwnEvenWhenTheOuterRollsBack(TestDb db) {
    Transactions txs = setUp(db);
    List<Long> auditSeenInside = new ArrayList<>();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      insert(tx, 1);
      txs.useTransaction(REQUIRES_NEW, audit -> audit.update("INSERT INTO t2_audit VALUES (?)", 1));
      auditSeenInside.addAll(db.queryLongs("SELECT id FROM t2_audit"));
      insert(tx, 2);
      throw new IllegalStateException("outer fails");
    }));
    assertEquals("outer fails", e.getMessage());
    assertEquals(List.of(1L), auditSeenInside, "committed before the outer transaction ended");
    assertEquals(List.of(), rows(db));
    assertEquals(List.of(1L), db.queryLongs("SELECT id FROM t2_audit"));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void mandatoryFailsOutsideATransactionAndJoinsInside(TestDb db) {
    Transactions txs = setUp(db);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> txs.useTransaction(MANDATORY, tx -> insert(tx, 1)));
    assertTrue(e.getMessage().contains("MANDATORY") && e.getMessage().contains("no transaction is active"),
        e.getMessage());
    assertEquals(List.of(), rows(db));

    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      insert(tx, 1);
      txs.useTransaction(MANDATORY, inner -> insert(inner, 2));
      throw new IllegalStateException("outer fails");
    }));
    assertEquals(List.of(), rows(db), "the mandatory block is part of the outer transaction");
    txs.useTransaction(tx -> {
      insert(tx, 1);
      txs.useTransaction(MANDATORY, inner -> insert(inner, 2));
    });
    assertEquals(List.of(1L, 2L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void conflictingNestedIsolationFailsFastAndTheOuterWorkSurvives(TestDb db) {
    Transactions txs = setUp(db);
    txs.useTransaction(Isolation.READ_COMMITTED, tx -> {
      insert(tx, 1);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> txs.useTransaction(Isolation.SERIALIZABLE, inner -> insert(inner, 2)));
      assertTrue(e.getMessage().contains("SERIALIZABLE") && e.getMessage().contains("READ_COMMITTED"),
          e.getMessage());
      txs.useTransaction(inner -> insert(inner, 3));
      txs.useTransaction(Isolation.READ_COMMITTED, inner -> insert(inner, 4));
    });
    assertEquals(List.of(1L, 3L, 4L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void readWriteInsideReadOnlyFailsFastAndTheOuterGoesOn(TestDb db) {
    Transactions txs = setUp(db);
    db.exec("INSERT INTO t2_nest VALUES (1)");
    List<String> hooks = new ArrayList<>();
    long count = txs.inTransaction(TxOptions.builder().readOnly(true).name("report").build(), tx -> {
      long n = tx.queryOne("SELECT COUNT(*) FROM t2_nest", Long.class);
      tx.afterCommit(() -> hooks.add("report done"));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> txs.useTransaction(inner -> insert(inner, 2)));
      assertTrue(e.getMessage().contains("read-write") && e.getMessage().contains("read-only"), e.getMessage());
      // a read-only nested block is fine
      return n + txs.inTransaction(TxOptions.builder().readOnly(true).build(),
          inner -> inner.queryOne("SELECT COUNT(*) FROM t2_nest", Long.class));
    });
    assertEquals(2, count);
    assertEquals(List.of("report done"), hooks);
    assertEquals(List.of(1L), rows(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void setRollbackOnlyRollsBackTheTransactionOrOnlyItsNestedBlock(TestDb db) {
    Transactions txs = setUp(db);
    List<String> hooks = new ArrayList<>();
    String result = txs.inTransaction(tx -> {
      insert(tx, 1);
      tx.afterCommit(() -> hooks.add("commit"));
      tx.afterRollback(() -> hooks.add("rollback"));
      tx.setRollbackOnly();
      assertTrue(tx.isRollbackOnly());
      return "value";
    });
    assertEquals("value", result, "a rollback-only transaction still returns its value");
    assertEquals(List.of(), rows(db));
    assertEquals(List.of("rollback"), hooks);

    hooks.clear();
    String inner = txs.inTransaction(tx -> {
      insert(tx, 1);
      String r = txs.inTransaction(block -> {
        insert(block, 2);
        block.afterCommit(() -> hooks.add("undone block"));
        block.setRollbackOnly();
        return "inner value";
      });
      assertTrue(!tx.isRollbackOnly(), "only the nested block is rollback-only");
      insert(tx, 3);
      tx.afterCommit(() -> hooks.add("outer"));
      return r;
    });
    assertEquals("inner value", inner);
    assertEquals(List.of(1L, 3L), rows(db));
    assertEquals(List.of("outer"), hooks);
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void setRollbackOnlyInAJoinedBlockRollsBackTheWholeTransaction(TestDb db) {
    Transactions txs = setUp(db);
    List<String> hooks = new ArrayList<>();
    // the outermost callback returns normally, but its work is not committed: the caller must learn it
    UnexpectedRollbackException e = assertThrows(UnexpectedRollbackException.class, () -> txs.inTransaction(tx -> {
      insert(tx, 1);
      tx.afterRollback(() -> hooks.add("rolled back"));
      txs.useTransaction(JOIN, inner -> {
        insert(inner, 2);
        inner.setRollbackOnly();
      });
      assertTrue(tx.isRollbackOnly(), "a joined block has no work of its own to roll back");
      return "value";
    }));
    assertTrue(e.getMessage().contains("setRollbackOnly"), e.getMessage());
    assertEquals(List.of(), rows(db));
    assertEquals(List.of("rolled back"), hooks, "the hooks ran before the exception");
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void rawConnectionFirstUsedInANestedBlockKeepsWorkingInTheOuter(TestDb db) throws SQLException {
    Transactions txs = setUp(db);
    txs.useTransaction(tx -> {
      txs.useTransaction(inner -> {
        try (PreparedStatement ps = inner.connection().prepareStatement("INSERT INTO t2_nest VALUES (?)")) {
          ps.setLong(1, 1);
          ps.executeUpdate();
        }
      });
      try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO t2_nest VALUES (?)")) {
        ps.setLong(1, 2);
        ps.executeUpdate();
      }
    });
    assertEquals(List.of(1L, 2L), rows(db));
  }
}
