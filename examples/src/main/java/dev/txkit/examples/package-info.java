/**
 * Runnable scenarios that use only txkit's public API, each with a {@code main} that runs on embedded H2 (or the
 * database of a JDBC URL given as the first argument): {@link dev.txkit.examples.BankTransfer},
 * {@link dev.txkit.examples.HandWrittenTransfer}, {@link dev.txkit.examples.OrderWithStockCheck},
 * {@link dev.txkit.examples.LastSeatBooking}, {@link dev.txkit.examples.ProfileUpdate},
 * {@link dev.txkit.examples.OrderConfirmation}, {@link dev.txkit.examples.AccountRepository} and
 * {@link dev.txkit.examples.IsolationExplorer}; and the {@link dev.txkit.examples.Demo}, which races
 * {@link dev.txkit.examples.TransferRace} three ways.
 */
package dev.txkit.examples;
