package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.CompletionStatus;
import dev.txkit.TransactionAbortedException;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import dev.txkit.spi.ResourceTransaction;
import dev.txkit.spi.TransactionScope;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One block of an attempt: the outermost, a savepoint block (NESTED) or a joined block (JOIN, MANDATORY). Owns
 * what belongs to a block (its deadline, read-only setting, rollback-only flag, savepoint); asks its
 * {@link Attempt} for the rest. Confined to the attempt's thread.
 *
 * @param <C> the resource's transaction type
 */
class Scope<C extends ResourceTransaction> implements TransactionScope<C> {

  /** How a block relates to the transaction. */
  enum Kind {
    /** The attempt's own block. */
    OUTERMOST,
    /** A nested block with a savepoint of its own. */
    SAVEPOINT,
    /** A nested block that is plain code in the block it joined. */
    JOINED
  }

  final Attempt<C> attempt;
  final TxOptions options;
  final @Nullable Scope<C> parent;
  final Kind kind;
  private final boolean readOnly;
  private final boolean hasDeadline;
  private final long deadline;
  /** Whether this block's deadline is its own (a nested block's timeout), not its transaction's. */
  private final boolean ownDeadline;
  /** The next frame toward the bottom of the thread's stack ({@link ThreadFrames}). */
  @Nullable Scope<?> previousOnThread;
  private boolean active;
  private boolean ended;
  private boolean rollbackOnly;
  /** Whether this block's own callback asked for the rollback (not a block that joined it). */
  private boolean rollbackOnlyAskedHere;

  Scope(Attempt<C> attempt, TxOptions options, @Nullable Scope<C> parent, Kind kind, boolean readOnly,
      boolean hasDeadline, long deadline, boolean ownDeadline) {
    this.attempt = attempt;
    this.options = options;
    this.parent = parent;
    this.kind = kind;
    this.readOnly = readOnly;
    this.hasDeadline = hasDeadline;
    this.deadline = deadline;
    this.ownDeadline = ownDeadline;
  }

  /** The block whose work a rollback-only flag concerns: this one, or for a joined block the one it joined. */
  Scope<C> unit() {
    Scope<C> s = this;
    while (s.kind == Kind.JOINED && s.parent != null) {
      s = s.parent;
    }
    return s;
  }

  void activate() {
    active = true;
  }

  /** Ends the block: it refuses further use, and nesting no longer finds it. */
  void end() {
    active = false;
    ended = true;
  }

  boolean isActiveFrame() {
    return active && !ended && attempt.state().isOpen();
  }

  boolean rollbackOnlyAskedHere() {
    return rollbackOnlyAskedHere;
  }

  boolean ownDeadlinePassed() {
    return ownDeadline && attempt.call.engine.ticker.read() - deadline >= 0;
  }

  // ---- TransactionScope --------------------------------------------------------------------------------------

  @Override
  public C transaction() {
    return attempt.transaction();
  }

  @Override
  public TxOptions options() {
    return options;
  }

  @Override
  public String transactionName() {
    return attempt.call.name;
  }

  @Override
  public int attempt() {
    return attempt.number;
  }

  @Override
  public boolean isNested() {
    return kind != Kind.OUTERMOST;
  }

  @Override
  public boolean readOnly() {
    return readOnly;
  }

  @Override
  public boolean transactionReadOnly() {
    return attempt.outermost().readOnly;
  }

  @Override
  public TransactionScope<C> innermost() {
    return attempt.innermost();
  }

  @Override
  public boolean isEnded() {
    return ended || (!attempt.state().isOpen() && attempt.state() != AttemptState.BEGINNING);
  }

  @Override
  public void checkOpen() {
    Thread owner = attempt.owner;
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("The tx of transaction '" + options.name() + "' belongs to thread '"
          + owner.getName() + "' but was used from thread '" + Thread.currentThread().getName() + "'. A tx is "
          + "confined to the thread running its callback; start a transaction on the other thread");
    }
    if (isEnded()) {
      throw new IllegalStateException("The tx of transaction '" + options.name() + "' was used after its "
          + (kind == Kind.OUTERMOST ? "transaction" : "nested block") + " ended. Do the work inside the callback, "
          + "or start a new transaction");
    }
  }

  @Override
  public void checkUsable() {
    checkOpen();
    Throwable cause = attempt.doomCause();
    if (cause != null) {
      throw new TransactionAbortedException("Statement refused: transaction '" + options.name() + "' (attempt "
          + attempt.number + ") already failed with " + attempt.doomClassification().kind() + " and was rolled "
          + "back by the database; nothing more can be done in it. Let the exception propagate so that txkit can "
          + "retry the whole transaction", cause);
    }
  }

  @Override
  public Classification observe(Throwable failure) {
    Classification c = attempt.classify(failure);
    attempt.record(failure, failure, c);
    return c;
  }

  @Override
  public <E extends RuntimeException> E failed(Throwable failure, Function<Classification, E> toException) {
    Classification c = attempt.classify(failure);
    E e = toException.apply(c);
    attempt.record(failure, e, c);
    return e;
  }

  @Override
  public boolean hasDeadline() {
    return hasDeadline;
  }

  @Override
  public long deadlineNanos() {
    return deadline;
  }

  @Override
  public long remainingNanos() {
    if (!hasDeadline) {
      return Long.MAX_VALUE;
    }
    long remaining = deadline - attempt.call.engine.ticker.read();
    if (remaining <= 0) {
      long timeout = Durations.nanos(Objects.requireNonNull(options.timeout())) / 1_000_000L;
      TransactionTimeoutException e = new TransactionTimeoutException((ownDeadline ? "Nested block '" : "Transaction '")
          + options.name() + "' reached its timeout of " + timeout + " ms before this statement; it will be "
          + "rolled back", null);
      attempt.record(e, e, ownDeadline ? Attempt.NESTED_TIMEOUT : Attempt.TIMEOUT);
      throw e;
    }
    return remaining;
  }

  @Override
  public void setRollbackOnly() {
    checkOpen();
    Scope<C> unit = unit();
    unit.rollbackOnly = true;
    if (unit == this) {
      rollbackOnlyAskedHere = true;
    }
  }

  @Override
  public boolean isRollbackOnly() {
    return unit().rollbackOnly;
  }

  @Override
  public void afterCommit(Runnable hook) {
    Objects.requireNonNull(hook, "hook");
    checkOpen();
    attempt.hooks().afterCommit(hook);
  }

  @Override
  public void afterRollback(Runnable hook) {
    Objects.requireNonNull(hook, "hook");
    checkOpen();
    attempt.hooks().afterRollback(hook);
  }

  @Override
  public void afterCompletion(Consumer<CompletionStatus> hook) {
    Objects.requireNonNull(hook, "hook");
    checkOpen();
    attempt.hooks().afterCompletion(hook);
  }

  @Override
  public boolean measured() {
    return attempt.measured();
  }

  @Override
  public long ticks() {
    return attempt.ticks();
  }

  @Override
  public void connectionWaited(long nanos) {
    attempt.connectionWaited(nanos);
  }

  @Override
  public long statementStarted() {
    return attempt.statementStarted();
  }

  @Override
  public void statementEnded(long started) {
    attempt.statementEnded(started);
  }

  @Override
  public int otherTransactionsOnThread() {
    return ThreadFrames.openTransactions(attempt.call.resource, attempt);
  }

  @Override
  public String toString() {
    return "Scope[" + options.name() + ", " + kind + ", attempt " + attempt.number + "]";
  }
}
