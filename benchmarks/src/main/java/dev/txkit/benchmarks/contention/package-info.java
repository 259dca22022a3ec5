/**
 * The contention harness: N threads on K hot rows for a fixed time, hand-written JDBC and txkit side by side,
 * with goodput, attempts, latency, errors, server deadlock counters and an invariant checked in the database
 * after every run; and pgbench, run beside it on the same database.
 */
@NullMarked
package dev.txkit.benchmarks.contention;

import org.jspecify.annotations.NullMarked;
