package dev.txkit.spi;

import dev.txkit.Classification;
import dev.txkit.CompletionStatus;
import dev.txkit.TransactionAbortedException;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One block of a transaction as the engine runs it: the outermost block of an attempt, or a nested block
 * (savepoint or joined). A binding builds its user-facing handle ({@code Tx}) on it and reports every failure of
 * its statements here, so that the engine alone classifies failures, dooms attempts and enforces the deadline.
 * Confined to the thread running the attempt.
 *
 * @param <C> the resource's transaction type
 */
public interface TransactionScope<C extends ResourceTransaction> {

  /**
   * The attempt's physical transaction, shared by all blocks of the attempt.
   *
   * @return the transaction
   * @throws IllegalStateException while the resource is still beginning it
   */
  C transaction();

  /** @return this block's options */
  TxOptions options();

  /** @return the name of the transaction this block runs in (its outermost call's name) */
  String transactionName();

  /** @return the attempt number, from 1 */
  int attempt();

  /** @return whether this is a nested block (savepoint or joined), not the outermost */
  boolean isNested();

  /**
   * Whether statements of this block must not write: its own options say read-only, or it runs inside a
   * read-only block.
   *
   * @return whether the block is read-only
   */
  boolean readOnly();

  /**
   * Whether the physical transaction was begun read-only (so the database itself refuses writes, where it can).
   * A read-only block nested in a read-write transaction is read-only but its transaction is not: the binding
   * must refuse its writes itself.
   *
   * @return whether the attempt's transaction is read-only
   */
  boolean transactionReadOnly();

  /**
   * The innermost block of this attempt now active on the thread: the block whose deadline and read-only
   * setting apply to a statement run through an object shared by all blocks (the raw connection).
   *
   * @return the innermost active block, this one when no nested block runs
   */
  TransactionScope<C> innermost();

  /**
   * Fails unless this block may be used now from this thread.
   *
   * @throws IllegalStateException on another thread, or after the block ended
   */
  void checkOpen();

  /**
   * Fails unless statements may run: {@link #checkOpen()}, and the attempt is not doomed.
   *
   * @throws IllegalStateException on another thread, or after the block ended
   * @throws TransactionAbortedException if a transaction-scope failure doomed the attempt
   */
  void checkUsable();

  /**
   * Reports a failure of a statement (or other call) of this block: the engine classifies it, dooms the attempt
   * when the database rolled the transaction back (or the connection is gone), and remembers a statement-scope
   * failure for the resource. For failures the binding passes on unchanged (raw JDBC).
   *
   * @param failure the failure
   * @return its classification
   */
  Classification observe(Throwable failure);

  /**
   * Like {@link #observe}, for failures the binding wraps: builds the exception to throw from the
   * classification, and dooms the attempt with that exception as the cause.
   *
   * @param failure the failure
   * @param toException builds the exception the caller sees
   * @param <E> its type
   * @return the exception to throw
   */
  <E extends RuntimeException> E failed(Throwable failure, Function<Classification, E> toException);

  /** @return whether this block has a deadline (its own timeout, or its transaction's) */
  boolean hasDeadline();

  /** @return the deadline in ticker nanoseconds; meaningful only if {@link #hasDeadline()} */
  long deadlineNanos();

  /**
   * The time left before this block's deadline, for a statement's timeout.
   *
   * @return nanoseconds left, {@code Long.MAX_VALUE} without a deadline
   * @throws TransactionTimeoutException if the deadline has passed (the transaction's: the attempt is doomed)
   */
  long remainingNanos();

  /** Makes a normal return of this block roll back its work instead of committing it (a joined block: the work of the block it joined). */
  void setRollbackOnly();

  /** @return whether this block's work will be rolled back */
  boolean isRollbackOnly();

  /**
   * Registers a hook that runs after the outermost commit (dropped if this block's savepoint is rolled back).
   *
   * @param hook the hook
   */
  void afterCommit(Runnable hook);

  /**
   * Registers a hook that runs after the transaction finally rolls back.
   *
   * @param hook the hook
   */
  void afterRollback(Runnable hook);

  /**
   * Registers a hook that runs after the transaction ends, whatever the outcome.
   *
   * @param hook the hook
   */
  void afterCompletion(Consumer<CompletionStatus> hook);

  /** @return whether this block has ended (it refuses further use) */
  boolean isEnded();

  // ---- measuring: only when measured() ----------------------------------------------------------------------

  /**
   * Whether the engine measures this attempt (a listener wants statistics, a pitfall needs the clock, or a JFR
   * recording runs). Constant for the attempt. When false the binding must not call the methods below on its hot
   * path: an unmeasured transaction reads no clock per statement.
   *
   * @return whether to report statements and connection waits
   */
  boolean measured();

  /** @return the engine's ticker now, to time a connection wait with */
  long ticks();

  /**
   * Reports the time the attempt waited for its connection.
   *
   * @param nanos the wait, in ticker nanoseconds
   */
  void connectionWaited(long nanos);

  /**
   * A statement (an execution of any JDBC statement) is about to run. The engine checks the pitfalls that concern
   * the time since the last statement and since the transaction began.
   *
   * @return the ticker reading to pass to {@link #statementEnded}
   * @throws dev.txkit.PitfallException when a pitfall in fail mode was seen: the statement must not run
   */
  long statementStarted();

  /**
   * The statement that {@link #statementStarted} announced ended, successfully or not.
   *
   * @param started what {@link #statementStarted} returned
   */
  void statementEnded(long started);

  /**
   * How many other transactions of the same resource the calling thread has open (each holds a connection): the
   * enclosing transactions of a {@code REQUIRES_NEW} call. For explaining a pool that has no connection left.
   *
   * @return the number, 0 when this is the thread's only one
   */
  int otherTransactionsOnThread();
}
