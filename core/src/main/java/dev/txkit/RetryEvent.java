package dev.txkit;

import java.time.Duration;

/**
 * A failed attempt that will be retried.
 *
 * @param transactionName the transaction's name from its {@link TxOptions}
 * @param attempt the number of the attempt that failed, starting at 1
 * @param failure what the attempt failed with
 * @param classification how txkit classified the failure
 * @param delay how long txkit waits before the next attempt
 */
public record RetryEvent(String transactionName, int attempt, Throwable failure, Classification classification,
    Duration delay) {
}
