package dev.txkit;

/**
 * What one call of a transaction cost, reported to {@link TransactionListener#onComplete} once it ended.
 *
 * @param transactionName the transaction's name
 * @param attempts attempts made, at least 1
 * @param status how it ended
 * @param elapsedNanos time from the first attempt's start to the end, in nanoseconds
 */
public record TransactionStats(String transactionName, int attempts, CompletionStatus status, long elapsedNanos) {
}
