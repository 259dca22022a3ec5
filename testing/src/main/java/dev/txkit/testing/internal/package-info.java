/** The proxies and their shared state; not exported. */
@NullMarked
package dev.txkit.testing.internal;

import org.jspecify.annotations.NullMarked;
