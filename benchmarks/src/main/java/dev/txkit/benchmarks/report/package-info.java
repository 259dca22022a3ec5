/**
 * The one command ({@link dev.txkit.benchmarks.report.Suite}, run by {@code benchmarks/run.sh}) that runs the
 * benchmarks and writes {@code docs/benchmarks.md} with its SVG charts.
 */
@NullMarked
package dev.txkit.benchmarks.report;

import org.jspecify.annotations.NullMarked;
