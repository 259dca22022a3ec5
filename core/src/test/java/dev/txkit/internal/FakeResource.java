package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.FailureClassifier;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.FailureScope;
import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.spi.CommitResolution;
import dev.txkit.spi.ResourceTransaction;
import dev.txkit.spi.TransactionResource;
import dev.txkit.spi.TransactionScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A transaction resource that records every call in a shared log ("begin 1", "commit 1", "rollback 1",
 * "close 1", "resolve 1", "savepoint 1", ...) and fails where a test tells it to.
 */
final class FakeResource implements TransactionResource<FakeResource.Attempt> {

  /** Throws what a test wants a resource call to throw. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  static final FailureClassifier CLASSIFIER = FailureClassifier.of(List.of(
      FailureRule.ofSqlState("40001", FailureKind.SERIALIZATION_FAILURE, FailureScope.TRANSACTION, "40001"),
      FailureRule.ofSqlState("40P01", FailureKind.DEADLOCK, FailureScope.TRANSACTION, "deadlock"),
      FailureRule.ofSqlState("55P03", FailureKind.LOCK_NOT_AVAILABLE, FailureScope.STATEMENT, "nowait"),
      FailureRule.ofSqlState("HYT00", FailureKind.LOCK_TIMEOUT, FailureScope.STATEMENT, "lock timeout"),
      FailureRule.ofSqlState("57014", FailureKind.QUERY_TIMEOUT, FailureScope.STATEMENT, "cancelled"),
      FailureRule.ofSqlState("23505", FailureKind.CONSTRAINT_VIOLATION, FailureScope.STATEMENT, "unique"),
      FailureRule.ofSqlState("40003", FailureKind.OUTCOME_UNKNOWN, FailureScope.TRANSACTION, "ambiguous"),
      FailureRule.ofSqlState("08*", FailureKind.CONNECTION_LOST, FailureScope.TRANSACTION, "connection")));

  final List<String> log;
  final List<TransactionScope<?>> contexts = new ArrayList<>();
  final List<TxOptions> beginOptions = new ArrayList<>();
  private final Map<Integer, Action> beginActions = new HashMap<>();
  private final Map<Integer, Action> commitActions = new HashMap<>();
  private final Map<Integer, Action> rollbackActions = new HashMap<>();
  private final Map<Integer, CommitResolution> resolutions = new HashMap<>();

  FakeResource(List<String> log) {
    this.log = log;
  }

  FakeResource onBegin(int attempt, Action action) {
    beginActions.put(attempt, action);
    return this;
  }

  FakeResource onCommit(int attempt, Action action) {
    commitActions.put(attempt, action);
    return this;
  }

  FakeResource onRollback(int attempt, Action action) {
    rollbackActions.put(attempt, action);
    return this;
  }

  FakeResource resolveAs(int attempt, CommitResolution resolution) {
    resolutions.put(attempt, resolution);
    return this;
  }

  int begins() {
    return contexts.size();
  }

  @Override
  public Attempt begin(TransactionScope<Attempt> scope) throws Exception {
    log.add("begin " + scope.attempt());
    contexts.add(scope);
    beginOptions.add(scope.options());
    Action action = beginActions.get(scope.attempt());
    if (action != null) {
      action.run();
    }
    return new Attempt(scope.attempt());
  }

  @Override
  public Classification classify(Throwable failure) {
    return CLASSIFIER.classify(failure);
  }

  @Override
  public Isolation defaultIsolation() {
    return Isolation.READ_COMMITTED;
  }

  final class Attempt implements ResourceTransaction {
    final int number;
    private int savepoints;

    Attempt(int number) {
      this.number = number;
    }

    @Override
    public void commit() throws Exception {
      log.add("commit " + number);
      Action action = commitActions.get(number);
      if (action != null) {
        action.run();
      }
    }

    @Override
    public void rollback() throws Exception {
      log.add("rollback " + number);
      Action action = rollbackActions.get(number);
      if (action != null) {
        action.run();
      }
    }

    @Override
    public Object setSavepoint() {
      savepoints++;
      log.add("savepoint " + number + "." + savepoints);
      return savepoints;
    }

    @Override
    public void rollbackToSavepoint(Object savepoint) {
      log.add("rollback to savepoint " + number + "." + savepoint);
    }

    @Override
    public void releaseSavepoint(Object savepoint) {
      log.add("release savepoint " + number + "." + savepoint);
    }

    @Override
    public void close() {
      log.add("close " + number);
    }

    @Override
    public CommitResolution resolveCommitOutcome() {
      log.add("resolve " + number);
      return resolutions.getOrDefault(number, CommitResolution.UNKNOWN);
    }
  }
}
