package dev.txkit;

import java.sql.Connection;

/**
 * Transaction isolation level requested for a transaction.
 *
 * <p>{@link #DEFAULT} leaves the connection's isolation as it is (the database's or the pool's default).
 * What each level really means differs per database; see docs/databases.md.
 */
public enum Isolation {
  /** Keep whatever isolation the connection has; txkit changes nothing. */
  DEFAULT(-1),
  /** {@link Connection#TRANSACTION_READ_UNCOMMITTED}; PostgreSQL treats it as READ COMMITTED. */
  READ_UNCOMMITTED(Connection.TRANSACTION_READ_UNCOMMITTED),
  /** {@link Connection#TRANSACTION_READ_COMMITTED}. */
  READ_COMMITTED(Connection.TRANSACTION_READ_COMMITTED),
  /** {@link Connection#TRANSACTION_REPEATABLE_READ}; snapshot isolation on PostgreSQL. */
  REPEATABLE_READ(Connection.TRANSACTION_REPEATABLE_READ),
  /** {@link Connection#TRANSACTION_SERIALIZABLE}; true serializability only on PostgreSQL (SSI). */
  SERIALIZABLE(Connection.TRANSACTION_SERIALIZABLE);

  private final int jdbcLevel;

  Isolation(int jdbcLevel) {
    this.jdbcLevel = jdbcLevel;
  }

  /**
   * The {@code java.sql.Connection} constant of this level.
   *
   * @return the JDBC level, or {@code -1} for {@link #DEFAULT}
   */
  public int jdbcLevel() {
    return jdbcLevel;
  }

  /**
   * The level of a {@code java.sql.Connection} isolation constant.
   *
   * @param jdbcLevel one of the {@code Connection.TRANSACTION_*} constants
   * @return the matching level; {@link #DEFAULT} for {@code TRANSACTION_NONE}
   * @throws IllegalArgumentException if {@code jdbcLevel} is not a JDBC isolation constant
   */
  public static Isolation ofJdbcLevel(int jdbcLevel) {
    switch (jdbcLevel) {
      case Connection.TRANSACTION_NONE:
        return DEFAULT;
      case Connection.TRANSACTION_READ_UNCOMMITTED:
        return READ_UNCOMMITTED;
      case Connection.TRANSACTION_READ_COMMITTED:
        return READ_COMMITTED;
      case Connection.TRANSACTION_REPEATABLE_READ:
        return REPEATABLE_READ;
      case Connection.TRANSACTION_SERIALIZABLE:
        return SERIALIZABLE;
      default:
        throw new IllegalArgumentException("Not a JDBC isolation level: " + jdbcLevel
            + "; use one of the java.sql.Connection.TRANSACTION_* constants");
    }
  }
}
