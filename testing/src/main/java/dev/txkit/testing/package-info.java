/**
 * Fault injection for JDBC transactions, and the tools built on it: failure-point sweeps, workloads with histories
 * and their checkers, and the lock-order checker (see docs/testing.md).
 */
@NullMarked
package dev.txkit.testing;

import org.jspecify.annotations.NullMarked;
