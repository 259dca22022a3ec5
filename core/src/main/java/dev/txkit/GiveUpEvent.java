package dev.txkit;

/**
 * A failed attempt after which txkit stops and throws.
 *
 * @param transactionName the transaction's name from its {@link TxOptions}
 * @param attempts how many attempts were made
 * @param failure what the last attempt failed with (the exception the caller sees)
 * @param classification how txkit classified it
 * @param reason why there is no further attempt, for humans
 */
public record GiveUpEvent(String transactionName, int attempts, Throwable failure, Classification classification,
    String reason) {
}
