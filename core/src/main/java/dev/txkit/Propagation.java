package dev.txkit;

/**
 * What a call does when a transaction is already active on the current thread for the same
 * transaction manager. Outside any transaction every propagation except {@link #MANDATORY} starts a new one.
 */
public enum Propagation {
  /**
   * The default: the inner block runs inside a savepoint. If it throws, its work is undone back to the
   * savepoint and the exception propagates; an outer block that catches it can still commit. After-commit
   * hooks registered inside the undone block are dropped.
   */
  NESTED,
  /** No savepoint: the inner block is plain code inside the outer transaction. */
  JOIN,
  /**
   * A separate connection and transaction, committed on its own, even if the outer one later rolls back.
   * It self-deadlocks if it waits for a row lock that the suspended outer transaction holds.
   */
  REQUIRES_NEW,
  /** Joins the active transaction; fails with {@link IllegalStateException} when there is none. */
  MANDATORY
}
