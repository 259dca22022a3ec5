package dev.txkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {

  private static final Classification SERIALIZATION =
      new Classification(FailureKind.SERIALIZATION_FAILURE, FailureScope.TRANSACTION);
  private static final Classification DEADLOCK = new Classification(FailureKind.DEADLOCK, FailureScope.TRANSACTION);
  private static final Classification LOCK_NOT_AVAILABLE =
      new Classification(FailureKind.LOCK_NOT_AVAILABLE, FailureScope.STATEMENT);
  private static final Classification LOCK_TIMEOUT =
      new Classification(FailureKind.LOCK_TIMEOUT, FailureScope.STATEMENT);
  private static final Classification CONNECTION_LOST =
      new Classification(FailureKind.CONNECTION_LOST, FailureScope.TRANSACTION);
  private static final Classification CONSTRAINT =
      new Classification(FailureKind.CONSTRAINT_VIOLATION, FailureScope.STATEMENT);

  /** A small table in the style of the PostgreSQL and MariaDB rows of docs/databases.md. */
  private static final FailureClassifier CLASSIFIER = FailureClassifier.of(List.of(
      FailureRule.ofVendorCode(null, 1213, FailureKind.DEADLOCK, FailureScope.TRANSACTION, "InnoDB deadlock"),
      FailureRule.ofVendorCode("HY000", 1205, FailureKind.LOCK_TIMEOUT, FailureScope.STATEMENT, "lock wait"),
      FailureRule.ofSqlState("40001", FailureKind.SERIALIZATION_FAILURE, FailureScope.TRANSACTION, "40001"),
      FailureRule.ofSqlState("40P01", FailureKind.DEADLOCK, FailureScope.TRANSACTION, "pg deadlock"),
      FailureRule.ofSqlState("55P03", FailureKind.LOCK_NOT_AVAILABLE, FailureScope.STATEMENT, "nowait"),
      FailureRule.ofSqlState("23505", FailureKind.CONSTRAINT_VIOLATION, FailureScope.STATEMENT, "unique"),
      FailureRule.ofSqlState("08*", FailureKind.CONNECTION_LOST, FailureScope.TRANSACTION, "connection class"),
      new FailureRule(null, null, "record has changed since last read", SERIALIZATION, "MariaDB 1020 text")));

  private static SQLException sql(String state) {
    return new SQLException("failure " + state, state);
  }

  @Test
  void matchesSqlStateExactly() {
    assertEquals(SERIALIZATION, CLASSIFIER.classify(sql("40001")));
    assertEquals(DEADLOCK, CLASSIFIER.classify(sql("40P01")));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(sql("40002")));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(sql("4000")), "no prefix match without *");
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(new SQLException("no state")));
  }

  @Test
  void matchesSqlStateClassPrefix() {
    for (String state : List.of("08001", "08003", "08006", "08S01", "08")) {
      assertEquals(CONNECTION_LOST, CLASSIFIER.classify(sql(state)), state);
    }
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(sql("0A000")));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(sql("18006")));
  }

  @Test
  void matchesVendorCodeAloneOrTogetherWithSqlState() {
    assertEquals(DEADLOCK, CLASSIFIER.classify(new SQLException("Deadlock found", "40001", 1213)),
        "the vendor-code rule comes first");
    assertEquals(DEADLOCK, CLASSIFIER.classify(new SQLException("Deadlock found", "HY000", 1213)));
    assertEquals(LOCK_TIMEOUT, CLASSIFIER.classify(new SQLException("Lock wait timeout", "HY000", 1205)));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(new SQLException("other", "HY000", 1206)));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(new SQLException("rewritten", "HY001", 1205)),
        "both conditions of a rule must hold");
  }

  @Test
  void matchesMessageSubstringIgnoringCase() {
    assertEquals(SERIALIZATION,
        CLASSIFIER.classify(new SQLException("Record has changed since last read in table 't'", "HY000", 1020)));
    assertEquals(SERIALIZATION, CLASSIFIER.classify(new SQLException("RECORD HAS CHANGED SINCE LAST READ")));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(new SQLException("record has changed")));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(new SQLException((String) null)));
    FailureRule upper = new FailureRule(null, null, "DeadLock", DEADLOCK, "mixed case rule");
    assertTrue(upper.matches(new SQLException("deadlock detected")));
  }

  @Test
  void findsAFailureInTheNextExceptionChainOfABatchUpdateException() {
    BatchUpdateException batch = new BatchUpdateException("Batch entry 3 was aborted", "", 0, new int[] {1, 1},
        null);
    batch.setNextException(sql("55000"));
    batch.setNextException(new SQLException("could not serialize access", "40001"));
    assertEquals(SERIALIZATION, CLASSIFIER.classify(batch));
    assertEquals(SERIALIZATION, CLASSIFIER.classify(new RuntimeException("wrapped", batch)));
  }

  @Test
  void findsAFailureInTheCauseChain() {
    SQLException deadlock = sql("40P01");
    SQLException wrapper = new SQLException("wrapper", "XX000", deadlock);
    assertEquals(DEADLOCK, CLASSIFIER.classify(new IllegalStateException(new RuntimeException(wrapper))));
    assertEquals(Classification.UNRECOGNISED, CLASSIFIER.classify(new IOException("not a database failure")));
  }

  @Test
  void transactionScopeWinsOverStatementScopeWhereverItIsInTheChain() {
    SQLException nowait = sql("55P03");
    nowait.setNextException(sql("40P01"));
    assertEquals(DEADLOCK, CLASSIFIER.classify(nowait));

    SQLException unique = new SQLException("duplicate key", "23505", sql("08006"));
    assertEquals(CONNECTION_LOST, CLASSIFIER.classify(unique));

    SQLException onlyStatement = new SQLException("duplicate key", "23505", sql("55P03"));
    assertEquals(CONSTRAINT, CLASSIFIER.classify(onlyStatement), "of two statement-scope failures the first wins");
  }

  @Test
  void aRecognisedKindWinsOverOther() {
    SQLException syntax = new SQLException("syntax error", "42601", sql("55P03"));
    assertEquals(LOCK_NOT_AVAILABLE, CLASSIFIER.classify(syntax));
  }

  @Test
  void aCyclicChainTerminates() {
    SQLException a = sql("42000");
    SQLException b = sql("42001");
    a.setNextException(b);
    b.setNextException(a);
    a.initCause(b);
    b.initCause(a);
    Classification c = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> CLASSIFIER.classify(a));
    assertEquals(Classification.UNRECOGNISED, c);

    SQLException c1 = sql("42000");
    SQLException c2 = sql("40001");
    c1.initCause(c2);
    c2.initCause(c1);
    assertEquals(SERIALIZATION, assertTimeoutPreemptively(Duration.ofSeconds(5), () -> CLASSIFIER.classify(c1)));
  }

  @Test
  void walksAtMostMaxDepthExceptions() {
    SQLException deep = sql("40001");
    SQLException withinCap = chainAbove(deep, FailureClassifier.MAX_DEPTH - 1);
    assertEquals(SERIALIZATION, CLASSIFIER.classify(withinCap), "the 32nd exception is still examined");

    SQLException deeper = sql("40001");
    SQLException beyondCap = chainAbove(deeper, 10_000);
    Classification c = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> CLASSIFIER.classify(beyondCap));
    assertEquals(Classification.UNRECOGNISED, c);
  }

  /** {@code n} unrecognised exceptions on top of {@code bottom}, linked alternately by cause and next. */
  private static SQLException chainAbove(SQLException bottom, int n) {
    SQLException current = bottom;
    for (int i = 0; i < n; i++) {
      SQLException above = sql("42" + (i % 1000));
      if (i % 2 == 0) {
        above.initCause(current);
      } else {
        above.setNextException(current);
      }
      current = above;
    }
    return current;
  }

  @Test
  void fallsBackToTheStandardExceptionSubclasses() {
    FailureClassifier none = FailureClassifier.of(List.of());
    assertEquals(SERIALIZATION, none.classify(new SQLTransactionRollbackException("rolled back")));
    assertEquals(CONNECTION_LOST, none.classify(new SQLNonTransientConnectionException("gone")));
    assertEquals(CONNECTION_LOST, none.classify(new SQLTransientConnectionException("gone")));
    assertEquals(CONNECTION_LOST, none.classify(new SQLRecoverableException("gone")));
    assertEquals(new Classification(FailureKind.QUERY_TIMEOUT, FailureScope.STATEMENT),
        none.classify(new SQLTimeoutException("timeout")));
    assertEquals(CONSTRAINT, none.classify(new SQLIntegrityConstraintViolationException("dup")));
    assertEquals(Classification.UNRECOGNISED, none.classify(new SQLException("plain")));
    assertEquals(Classification.UNRECOGNISED, none.classify(new IllegalStateException("not sql")));
  }

  @Test
  void rulesWinOverTheExceptionSubclass() {
    assertEquals(DEADLOCK, CLASSIFIER.classify(new SQLTransactionRollbackException("deadlock", "40P01")));
    assertEquals(CONNECTION_LOST, CLASSIFIER.classify(new SQLTimeoutException("socket timeout", "08006")));
  }

  @Test
  void withRulesFirstTakesPrecedenceWithoutRemovingTheDefaults() {
    FailureRule retryUnique = FailureRule.ofSqlState("23505", FailureKind.SERIALIZATION_FAILURE,
        FailureScope.TRANSACTION, "key-picking transaction");
    FailureClassifier custom = CLASSIFIER.withRulesFirst(List.of(retryUnique));
    assertEquals(SERIALIZATION, custom.classify(sql("23505")));
    assertEquals(DEADLOCK, custom.classify(sql("40P01")), "defaults still apply");
    assertEquals(CONNECTION_LOST, custom.classify(sql("08006")));
    assertSame(retryUnique, custom.rules().get(0));
    assertEquals(CLASSIFIER.rules().size() + 1, custom.rules().size());
    assertEquals(CONSTRAINT, CLASSIFIER.classify(sql("23505")), "the original classifier is unchanged");
    assertSame(CLASSIFIER, CLASSIFIER.withRulesFirst(List.of()));
  }

  @Test
  void rulesAreCopiedAndUnmodifiable() {
    List<FailureRule> rules = new ArrayList<>();
    rules.add(FailureRule.ofSqlState("40001", FailureKind.SERIALIZATION_FAILURE, FailureScope.TRANSACTION, "x"));
    FailureClassifier c = FailureClassifier.of(rules);
    rules.clear();
    assertEquals(SERIALIZATION, c.classify(sql("40001")));
    assertThrows(UnsupportedOperationException.class, () -> c.rules().clear());
    assertThrows(NullPointerException.class, () -> CLASSIFIER.classify(null));
  }

  @Test
  void aRuleWithoutAnyConditionIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new FailureRule(null, null, null, DEADLOCK, "catch-all"));
    assertEquals("A failure rule must match on at least one of SQLState, vendor code or message; rule "
        + "'catch-all' sets none", e.getMessage());
    assertThrows(NullPointerException.class, () -> new FailureRule("40001", null, null, null, "x"));
    assertThrows(NullPointerException.class, () -> new FailureRule("40001", null, null, DEADLOCK, null));
  }

  @Test
  void aRuleOnSqlStateDoesNotMatchAnExceptionWithoutOne() {
    FailureRule rule = FailureRule.ofSqlState("08*", FailureKind.CONNECTION_LOST, FailureScope.TRANSACTION, "c");
    assertFalse(rule.matches(new SQLException("no state", (String) null, 0)));
  }
}
