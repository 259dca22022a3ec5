/**
 * txkit's JDBC binding: {@link dev.txkit.jdbc.Transactions} runs code in transactions over a
 * {@link javax.sql.DataSource}, handing it a {@link dev.txkit.jdbc.Tx} with idiomatic statement wrappers,
 * savepoint nesting, lock helpers and completion hooks.
 */
@NullMarked
package dev.txkit.jdbc;

import org.jspecify.annotations.NullMarked;
