/** Fault injection for JDBC transactions. */
@NullMarked
package dev.txkit.testing;

import org.jspecify.annotations.NullMarked;
