package dev.txkit.spi;

import dev.txkit.Classification;

/**
 * One attempt's physical transaction on a resource: commit or roll back, savepoints for nested blocks, then
 * close. Confined to the attempt's thread; the engine calls it in a checked order (begin, savepoints,
 * commit or rollback, close).
 */
public interface ResourceTransaction {

  /**
   * Commits.
   *
   * @throws Exception if the commit failed; the engine classifies it
   */
  void commit() throws Exception;

  /**
   * Rolls back.
   *
   * @throws Exception if the rollback failed; the engine attaches it as suppressed to the primary failure
   */
  void rollback() throws Exception;

  /**
   * Sets a savepoint for a nested block.
   *
   * @return the savepoint, passed back to {@link #rollbackToSavepoint} or {@link #releaseSavepoint}
   * @throws Exception if it failed
   */
  Object setSavepoint() throws Exception;

  /**
   * Undoes the work since a savepoint.
   *
   * @param savepoint what {@link #setSavepoint()} returned
   * @throws Exception if it failed
   */
  void rollbackToSavepoint(Object savepoint) throws Exception;

  /**
   * Releases a savepoint whose block succeeded.
   *
   * @param savepoint what {@link #setSavepoint()} returned
   * @throws Exception if it failed
   */
  void releaseSavepoint(Object savepoint) throws Exception;

  /**
   * Tells the resource that a statement of this transaction failed without dooming it (statement scope), so
   * that it can take care before committing (PostgreSQL aborts the transaction on any failed statement).
   *
   * @param failure the failure
   * @param classification its classification
   */
  default void statementFailed(Throwable failure, Classification classification) {
  }

  /**
   * After a commit failed in a way that leaves its outcome unknown, tries to find the outcome out.
   *
   * @return what could be established; {@link CommitResolution#UNKNOWN} by default
   */
  default CommitResolution resolveCommitOutcome() {
    return CommitResolution.UNKNOWN;
  }

  /**
   * Releases the resource and restores whatever the attempt changed. Never throws; a resource that cannot be
   * restored is discarded instead of reused.
   */
  void close();
}
