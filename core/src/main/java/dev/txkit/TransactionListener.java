package dev.txkit;

import org.jspecify.annotations.Nullable;

/**
 * Observes transactions: every method has an empty default, so implement only what you need.
 *
 * <p>Called synchronously on the thread that runs the transaction; implementations must be fast, thread-safe
 * and must not throw (an exception from a listener is logged and otherwise ignored). Listeners see every
 * attempt, including the ones that are retried, so the attempt number reported by {@link #onBegin} is exact.
 */
public interface TransactionListener {

  /**
   * An attempt is about to begin (before the connection is taken).
   *
   * @param transactionName the name from the transaction's options
   * @param attempt attempt number, from 1
   */
  default void onBegin(String transactionName, int attempt) {
  }

  /**
   * An attempt committed.
   *
   * @param transactionName the name from the transaction's options
   * @param attempt attempt number, from 1
   */
  default void onCommit(String transactionName, int attempt) {
  }

  /**
   * An attempt was rolled back.
   *
   * @param transactionName the name from the transaction's options
   * @param attempt attempt number, from 1
   * @param cause why, or null for {@code setRollbackOnly}
   */
  default void onRollback(String transactionName, int attempt, @Nullable Throwable cause) {
  }

  /**
   * A failed attempt will be retried after the event's delay.
   *
   * @param event the retry
   */
  default void onRetry(RetryEvent event) {
  }

  /**
   * txkit gave up: the event's failure is thrown to the caller.
   *
   * @param event the failure given up on
   */
  default void onGiveUp(GiveUpEvent event) {
  }

  /**
   * A commit's outcome could not be established.
   *
   * @param transactionName the name from the transaction's options
   * @param attempt attempt number, from 1
   * @param failure the commit's failure
   */
  default void onOutcomeUnknown(String transactionName, int attempt, Throwable failure) {
  }

  /**
   * An after-completion hook threw; the transaction's outcome is not changed by it.
   *
   * @param transactionName the name from the transaction's options
   * @param failure what the hook threw
   */
  default void onHookFailure(String transactionName, Throwable failure) {
  }

  /**
   * A call ended, successfully or not.
   *
   * @param stats its statistics
   */
  default void onComplete(TransactionStats stats) {
  }

  /**
   * Contention control changed the limit of a transaction name ({@link RetryPolicy.Builder#withContentionControl}):
   * how many of its attempts this process runs at once. Called on the thread whose attempt made the change,
   * after it ended; the limit is process-wide, so the listeners of the engine that ran that attempt hear it.
   *
   * @param transactionName the name
   * @param limit the new limit, 0 for none
   * @param queued attempts of the name waiting to begin at that moment
   */
  default void onConcurrencyLimit(String transactionName, int limit, int queued) {
  }

  /**
   * txkit saw a pitfall or a transaction-changing setting ({@link Pitfalls}, the JDBC binding's self-check).
   *
   * @param warning what was seen
   */
  default void onWarning(TransactionWarning warning) {
  }

  /**
   * Whether this listener reads the statement figures of {@link TransactionStats} (statements, database, idle
   * and connection wait time). While no listener wants them, and no pitfall or JFR recording needs them, txkit
   * does not read the clock around statements. Asked once, when the engine is built.
   *
   * @return true (the default) to have them measured
   */
  default boolean wantsStatistics() {
    return true;
  }
}
