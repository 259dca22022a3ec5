package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.CompletionStatus;
import dev.txkit.CurrentTransaction;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.PitfallException;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.UnexpectedRollbackException;
import dev.txkit.spi.AttemptBody;
import dev.txkit.spi.CommitResolution;
import dev.txkit.spi.ResourceTransaction;
import java.sql.SQLException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a transaction: begin, run the work, commit or roll back, close, as a state machine
 * ({@link AttemptState}). It is the attempt's one place for doom and for classifying failures (once each); its
 * outcome is left in {@link #failure} or {@link #status} for the {@link Call} to act on. Confined to its thread.
 *
 * <p>Longer than most classes on purpose: it is the state machine, and keeping every step that moves the state
 * (begin, commit, rollback, doom, close) in one file is what lets the checked order of the steps be read at once.
 * What a measured attempt times is in {@link AttemptTiming}.
 *
 * @param <C> the resource's transaction type
 */
final class Attempt<C extends ResourceTransaction> implements CurrentTransaction {

  static final Classification TIMEOUT = new Classification(FailureKind.TRANSACTION_TIMEOUT, FailureScope.TRANSACTION);
  static final Classification NESTED_TIMEOUT =
      new Classification(FailureKind.TRANSACTION_TIMEOUT, FailureScope.STATEMENT);
  static final Classification UNKNOWN_OUTCOME =
      new Classification(FailureKind.OUTCOME_UNKNOWN, FailureScope.TRANSACTION);
  static final Classification NOT_COMMITTED =
      new Classification(FailureKind.CONNECTION_LOST, FailureScope.TRANSACTION);

  /** A failed attempt: what the caller would see, its classification, and whether the commit's outcome is unknown. */
  record Failure(Throwable failure, Classification classification, boolean unknownOutcome) {
  }

  final Call<C> call;
  final int number;
  final Thread owner = Thread.currentThread();
  private AttemptState state = AttemptState.BEGINNING;
  private @Nullable C transaction;
  private @Nullable Scope<C> outermost;
  private @Nullable Scope<C> innermost;
  private @Nullable Hooks hooks;
  private @Nullable Throwable doomCause;
  private @Nullable Classification doomClassification;
  /** The last failure reported by a block, so that the same failure reaching the engine is not classified again. */
  private @Nullable Throwable observed;
  private @Nullable Throwable observedAs;
  private @Nullable Classification observedClassification;
  /** Set when the attempt failed. */
  @Nullable Failure failure;
  /** Set when the attempt ended without failing: committed, or rolled back as asked. */
  @Nullable CompletionStatus status;
  /** Set when a joined block's setRollbackOnly rolled back a transaction whose callback returned normally. */
  @Nullable UnexpectedRollbackException unexpectedRollback;
  /** The attempt's clock when its call is measured, else null (then nothing is timed). */
  private final @Nullable AttemptTiming timing;

  Attempt(Call<C> call, int number) {
    this.call = call;
    this.number = number;
    CallStats s = call.stats;
    this.timing = s != null && s.clock ? new AttemptTiming(call, number, s) : null;
  }

  // ---- state -------------------------------------------------------------------------------------------------

  AttemptState state() {
    return state;
  }

  private void go(AttemptState to) {
    if (!state.canGo(to)) {
      throw new IllegalStateException("Attempt " + number + " of transaction '" + call.name + "' cannot go from "
          + state + " to " + to);
    }
    state = to;
  }

  C transaction() {
    C t = transaction;
    if (t == null) {
      throw new IllegalStateException("Transaction '" + call.name + "' is still beginning");
    }
    return t;
  }

  Scope<C> outermost() {
    return Objects.requireNonNull(outermost, "outermost");
  }

  Scope<C> innermost() {
    return Objects.requireNonNull(innermost, "innermost");
  }

  void innermost(Scope<C> scope) {
    innermost = scope;
  }

  Hooks hooks() {
    Hooks h = hooks;
    if (h == null) {
      h = new Hooks();
      hooks = h;
    }
    return h;
  }

  int hookMark() {
    return hooks == null ? 0 : hooks.mark();
  }

  void dropAfterCommitSince(int mark) {
    if (hooks != null) {
      hooks.dropAfterCommitSince(mark);
    }
  }

  /**
   * Runs the completion hooks for how the transaction ended.
   *
   * @return the first Error a hook threw, or null
   */
  @Nullable Error runHooks(CompletionStatus how) {
    return hooks == null ? null : hooks.run(call.name, how, call.engine.listeners);
  }

  boolean isDoomed() {
    return state == AttemptState.DOOMED;
  }

  @Nullable Throwable doomCause() {
    return doomCause;
  }

  Classification doomClassification() {
    return Objects.requireNonNull(doomClassification, "doomClassification");
  }

  // ---- failures: classified once, doom on transaction scope --------------------------------------------------

  Classification classify(Throwable failure) {
    if (failure == observed || failure == observedAs) {
      return Objects.requireNonNull(observedClassification);
    }
    return call.resource.classify(failure);
  }

  /**
   * Takes note of a failure a block reported: dooms the attempt when the database ended the transaction,
   * else tells the resource a statement failed.
   *
   * @param failure what failed
   * @param as the exception the caller sees (the doom cause)
   * @param c its classification
   */
  void record(Throwable failure, Throwable as, Classification c) {
    observed = failure;
    observedAs = as;
    observedClassification = c;
    if (c.dooms()) {
      if (state == AttemptState.ACTIVE) {
        go(AttemptState.DOOMED);
        doomCause = as;
        doomClassification = c;
      }
    } else if (transaction != null && state.isOpen()) {
      transaction.statementFailed(failure, c);
    }
  }

  // ---- the steps -----------------------------------------------------------------------------------------------

  /**
   * Runs the attempt: begin, the body, commit (or rollback when the body threw), close.
   *
   * @return the body's result, or null when the attempt failed ({@link #failure} says how)
   */
  <T, X extends Exception> @Nullable T run(AttemptBody<C, T, X> body) {
    call.engine.listeners.begin(call.name, number);
    Scope<C> scope = call.outermostScope(this);
    try {
      if (!begin(scope)) {
        return null;
      }
      T result;
      try {
        result = body.run(scope);
      } catch (Throwable t) {
        scope.end();
        Classification c = isDoomed() ? doomClassification() : classify(t);
        rollbackAfterBody(t);
        failure = new Failure(t, c, false);
        return null;
      }
      scope.end();
      commit();
      return failure == null ? result : null;
    } finally {
      close();
      ThreadFrames.pop(scope);
    }
  }

  /**
   * Begins on the resource, with {@code scope} as the outermost block (pushed on the thread first, so that
   * taking the connection belongs to the attempt).
   *
   * @return whether it began; else {@link #failure} says why
   */
  boolean begin(Scope<C> scope) {
    outermost = scope;
    innermost = scope;
    ThreadFrames.push(scope);
    try {
      transaction = call.resource.begin(scope);
    } catch (Throwable t) {
      go(AttemptState.CLOSED);
      Classification c = call.resource.classify(t);
      failure = new Failure(asFailure("Could not begin the transaction", t, c), c, false);
      return false;
    }
    go(AttemptState.ACTIVE);
    scope.activate();
    if (timing != null) {
      timing.active();
    }
    return true;
  }

  /** Ends a normal return: commits, unless doomed, past the deadline or rollback-only. */
  void commit() {
    long t;
    try {
      t = endOpen(true);
    } catch (PitfallException e) {
      t = ticks();
      rollbackQuietly(e);
      databaseTime(t);
      failure = new Failure(e, Classification.UNRECOGNISED, false);
      return;
    }
    try {
      commitOrRollback();
    } finally {
      databaseTime(t);
    }
  }

  private void commitOrRollback() {
    if (state == AttemptState.DOOMED) {
      Throwable cause = Objects.requireNonNull(doomCause);
      Classification c = doomClassification();
      // user code caught the transaction-scope failure and returned normally: the server already rolled the
      // work back, so this attempt must never commit
      rollbackQuietly(cause);
      failure = new Failure(asFailure("The transaction failed and was rolled back", cause, c), c, false);
      return;
    }
    if (call.hasDeadline && call.engine.ticker.read() - call.deadline >= 0) {
      TransactionTimeoutException e = call.timeoutException(number, null);
      rollbackQuietly(e);
      failure = new Failure(e, TIMEOUT, false);
      return;
    }
    Scope<C> unit = outermost();
    if (unit.isRollbackOnly()) {
      if (rollback("Rollback of a rollback-only transaction failed")) {
        call.engine.listeners.rollback(call.name, number, null);
        if (!unit.rollbackOnlyAskedHere()) {
          unexpectedRollback = new UnexpectedRollbackException("Transaction '" + call.name + "' returned normally "
              + "but was rolled back: a block that joined it called setRollbackOnly(). Nothing of it was committed");
        }
      }
      return;
    }
    go(AttemptState.COMMITTING);
    try {
      transaction().commit();
    } catch (Throwable t) {
      Classification c = classify(t);
      if (c.kind() != FailureKind.CONNECTION_LOST && c.kind() != FailureKind.OUTCOME_UNKNOWN) {
        rollbackQuietly(t);
        failure = new Failure(asFailure("Commit failed", t, c), c, false);
        return;
      }
      CommitResolution r;
      try {
        r = transaction().resolveCommitOutcome();
      } catch (RuntimeException e) {
        t.addSuppressed(e);
        r = CommitResolution.UNKNOWN;
      }
      if (r == CommitResolution.NOT_COMMITTED) {
        go(AttemptState.ROLLED_BACK);
        status = CompletionStatus.ROLLED_BACK;
        failure = new Failure(asFailure("Commit failed and the database confirms the transaction did not commit",
            t, NOT_COMMITTED), NOT_COMMITTED, false);
        return;
      }
      if (r == CommitResolution.COMMITTED) {
        call.resolved = true;
      }
      if (r == CommitResolution.UNKNOWN) {
        go(AttemptState.UNKNOWN);
        status = CompletionStatus.UNKNOWN;
        call.engine.listeners.outcomeUnknown(call.name, number, t);
        failure = new Failure(new CommitOutcomeUnknownException("The connection failed during COMMIT of '"
            + call.name + "' (attempt " + number + "): the transaction may or may not have committed. txkit does not "
            + "retry it because a retry could apply it twice; check the data, or declare the transaction "
            + "idempotent(true) if running it twice is harmless", t), UNKNOWN_OUTCOME, true);
        return;
      }
      // COMMITTED: the resolver established that the commit happened
    }
    go(AttemptState.COMMITTED);
    status = CompletionStatus.COMMITTED;
    call.engine.listeners.commit(call.name, number);
  }

  /**
   * Rolls back as asked (rollback-only, or a manual rollback).
   *
   * @param whatFailed the message if the rollback fails
   * @return whether it succeeded; else {@link #failure} says why
   */
  boolean rollback(String whatFailed) {
    boolean timed = !openEnded();
    long started = timed ? endOpen(false) : 0L;
    go(AttemptState.ROLLING_BACK);
    try {
      transaction().rollback();
      return true;
    } catch (Throwable t) {
      Classification c = classify(t);
      failure = new Failure(asFailure(whatFailed, t, c), c, false);
      return false;
    } finally {
      go(AttemptState.ROLLED_BACK);
      status = CompletionStatus.ROLLED_BACK;
      if (timed) {
        databaseTime(started);
      }
    }
  }

  /** Rolls back after the body failed: the end of the open period, then the rollback. */
  private void rollbackAfterBody(Throwable primary) {
    long t = endOpen(false);
    rollbackQuietly(primary);
    databaseTime(t);
  }

  /** Rolls back after a failure; a rollback failure is attached to it as suppressed. */
  private void rollbackQuietly(Throwable primary) {
    go(AttemptState.ROLLING_BACK);
    try {
      transaction().rollback();
    } catch (Throwable t) {
      if (primary != t) {
        primary.addSuppressed(t);
      }
    }
    go(AttemptState.ROLLED_BACK);
    status = CompletionStatus.ROLLED_BACK;
  }

  /** Releases the resource (idempotent). */
  void close() {
    if (state == AttemptState.CLOSED) {
      return;
    }
    C t = transaction;
    if (t != null) {
      try {
        t.close();
      } catch (RuntimeException e) {
        call.engine.warnings.accept("[" + call.name + "] releasing the resource failed", e);
      }
    }
    state = AttemptState.CLOSED;
  }

  // ---- measuring (only when the call is clocked) ------------------------------------------------------------

  boolean measured() {
    return timing != null;
  }

  long ticks() {
    return call.engine.ticker.read();
  }

  void connectionWaited(long nanos) {
    if (timing != null) {
      timing.connectionWaited(nanos);
    }
  }

  long statementStarted() {
    return timing != null ? timing.statementStarted() : call.engine.ticker.read();
  }

  void statementEnded(long started) {
    if (timing != null) {
      timing.statementEnded(started);
    }
  }

  /** Ends the open period before a commit or rollback; see {@link AttemptTiming#endOpen}. */
  private long endOpen(boolean committing) {
    return timing == null ? 0L : timing.endOpen(committing && state == AttemptState.ACTIVE,
        state == AttemptState.BEGINNING);
  }

  private void databaseTime(long started) {
    if (timing != null) {
      timing.databaseTime(started);
    }
  }

  private boolean openEnded() {
    return timing == null || timing.openEnded();
  }

  // ---- CurrentTransaction --------------------------------------------------------------------------------------

  @Override
  public String name() {
    return call.name;
  }

  @Override
  public int attempt() {
    return number;
  }

  @Override
  public long id() {
    return call.id();
  }

  @Override
  public boolean isManual() {
    return call.manual;
  }

  @Override
  public String toString() {
    return "transaction '" + call.name + "' attempt " + number + " (" + state + ")";
  }

  /** What the caller sees of a failure: a database failure wrapped with its classification, else the failure itself. */
  static Throwable asFailure(String what, Throwable t, Classification c) {
    return t instanceof SQLException ? DatabaseFailureException.of(what, (SQLException) t, c) : t;
  }

  /** {@link #asFailure}, to be thrown at once: a checked exception other than SQLException is thrown as it is. */
  static RuntimeException unchecked(String what, Throwable t, Classification c) {
    if (t instanceof SQLException) {
      return DatabaseFailureException.of(what, (SQLException) t, c);
    }
    if (t instanceof RuntimeException) {
      return (RuntimeException) t;
    }
    throw Call.<RuntimeException>sneakyThrow(t);
  }
}
