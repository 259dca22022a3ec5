/**
 * The service-provider interface between txkit's engine and a resource binding such as {@code txkit-jdbc}: the
 * engine ({@link dev.txkit.spi.TransactionEngine}) decides the whole lifecycle of a transaction (propagation,
 * attempts and retries, the deadline, doom, rollback-only, savepoints, hooks, listener events); a binding
 * implements {@link dev.txkit.spi.TransactionResource} and {@link dev.txkit.spi.ResourceTransaction} (connections,
 * commit, rollback, savepoints) and builds its user-facing handle on a {@link dev.txkit.spi.TransactionScope}.
 *
 * <p>Application code does not need this package; it uses a binding's entry point ({@code Transactions}).
 */
@NullMarked
package dev.txkit.spi;

import org.jspecify.annotations.NullMarked;
