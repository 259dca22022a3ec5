/** The JDBC resource, attempts, tx scopes and managed connections. Not API. */
@NullMarked
package dev.txkit.jdbc.internal;

import org.jspecify.annotations.NullMarked;
