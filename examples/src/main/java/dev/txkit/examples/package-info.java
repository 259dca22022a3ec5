/**
 * Runnable scenarios that use only txkit's public API: {@link dev.txkit.examples.BankTransfer},
 * {@link dev.txkit.examples.OrderWithStockCheck}, {@link dev.txkit.examples.LastSeatBooking}, and the
 * {@link dev.txkit.examples.Demo} that runs them on embedded H2.
 */
package dev.txkit.examples;
