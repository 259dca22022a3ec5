package dev.txkit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something txkit saw that works but is likely wrong: a pitfall of a transaction ({@link Pitfalls}), a
 * transaction-changing setting of the driver, pool or database, or writes that should have been one transaction.
 * Logged at WARN by the JDBC binding and given to {@link TransactionListener#onWarning}.
 *
 * @param kind what was seen
 * @param transactionName the transaction concerned, or null when none is (configuration, writes outside any)
 * @param attempt its attempt number, or 0 when no transaction is concerned
 * @param message what was seen and what to change; never contains bound values
 * @param begunAt where the transaction began (the caller's stack frame), or, for writes outside any transaction,
 *     where the first of them was made; null when not captured
 */
public record TransactionWarning(Kind kind, @Nullable String transactionName, int attempt, String message,
    @Nullable StackTraceElement begunAt) {

  /** The kinds of warning. */
  public enum Kind {
    /** A transaction open longer than its threshold. */
    LONG_TRANSACTION,
    /** A long gap between two statements (or before the commit): application work while locks are held. */
    IDLE_GAP,
    /** A blocking call (an email, an HTTP request, another connection) made while a transaction is open. */
    BLOCKING_CALL,
    /** Several writes by one thread in autocommit mode within a short window, outside any transaction. */
    FORGOTTEN_TRANSACTION,
    /** A driver, pool or database setting that changes how transactions behave. */
    CONFIGURATION
  }

  /**
   * Creates a warning.
   *
   * @param kind what was seen
   * @param transactionName the transaction concerned, or null
   * @param attempt its attempt number, or 0
   * @param message what was seen and what to change
   * @param begunAt where the transaction (or the first write) began, or null
   * @throws NullPointerException if {@code kind} or {@code message} is null
   */
  public TransactionWarning {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }
}
