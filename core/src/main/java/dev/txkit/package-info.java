/**
 * txkit's public engine API: {@link dev.txkit.TxOptions}, {@link dev.txkit.Isolation},
 * {@link dev.txkit.RetryPolicy}, the failure classification model ({@link dev.txkit.FailureKind},
 * {@link dev.txkit.FailureRule}, {@link dev.txkit.FailureClassifier}), the
 * {@link dev.txkit.TransactionListener} SPI, {@link dev.txkit.LockOrder} and the exception hierarchy under
 * {@link dev.txkit.TransactionException}.
 */
@NullMarked
package dev.txkit;

import org.jspecify.annotations.NullMarked;
