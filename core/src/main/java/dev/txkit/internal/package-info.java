/** The attempt loop and the resource SPI it drives. Not API: exported only to txkit's own modules. */
@NullMarked
package dev.txkit.internal;

import org.jspecify.annotations.NullMarked;
