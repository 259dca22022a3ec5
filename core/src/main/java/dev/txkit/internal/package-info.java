/**
 * The engine's implementation: propagation ({@link dev.txkit.internal.Engine}), the attempt loop
 * ({@link dev.txkit.internal.Call}), one attempt's state machine ({@link dev.txkit.internal.Attempt}), the
 * blocks of an attempt ({@link dev.txkit.internal.Scope}), the retry decision, hooks, listener notification and
 * contention gates (adaptive limit and escalation). Not exported: bindings use {@code dev.txkit.spi}. See
 * {@code docs/architecture.md}.
 */
@NullMarked
package dev.txkit.internal;

import org.jspecify.annotations.NullMarked;
