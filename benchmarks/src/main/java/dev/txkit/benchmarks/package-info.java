/** JMH benchmarks of txkit against hand-written JDBC. */
package dev.txkit.benchmarks;
