package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.FailureClassifier;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.FailureScope;
import dev.txkit.TxOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A transaction resource that records every call in a shared log ("begin 1", "commit 1", "rollback 1",
 * "close 1", "resolve 1") and fails where a test tells it to.
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
  final List<AttemptContext> contexts = new ArrayList<>();
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
  public Attempt begin(TxOptions options, AttemptContext context) throws Exception {
    log.add("begin " + context.attempt());
    contexts.add(context);
    beginOptions.add(options);
    Action action = beginActions.get(context.attempt());
    if (action != null) {
      action.run();
    }
    return new Attempt(context.attempt());
  }

  @Override
  public Classification classify(Throwable failure) {
    return CLASSIFIER.classify(failure);
  }

  final class Attempt implements ResourceAttempt {
    final int number;

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
