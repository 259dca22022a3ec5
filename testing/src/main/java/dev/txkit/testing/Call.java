package dev.txkit.testing;

import org.jspecify.annotations.Nullable;

/**
 * One JDBC call arriving at a fault {@link Point}, as a {@link Trigger} sees it.
 *
 * @param point where the call is
 * @param sql the statement's SQL, for statement, batch and result set points; null elsewhere
 * @param thread the calling thread
 * @param connectionId the id of the connection (1, 2, ... per {@link FaultyDataSource}); 0 for
 *     {@link Point#GET_CONNECTION}
 * @param transaction the name of the txkit transaction running on this thread, or null when none is known
 *     (the {@link Faults#listener()} must be registered with {@code Transactions.builder(ds).listener(...)})
 * @param attempt the attempt number of that transaction, from 1; 0 when none is known
 */
public record Call(Point point, @Nullable String sql, Thread thread, int connectionId, @Nullable String transaction,
    int attempt) {
}
