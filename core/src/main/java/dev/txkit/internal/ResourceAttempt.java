package dev.txkit.internal;

/** One attempt's hold on the resource: commit or roll back, then close. */
public interface ResourceAttempt {

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
   * Releases the resource and restores whatever the attempt changed. Never throws; a resource that cannot be
   * restored is discarded instead of reused.
   */
  void close();

  /**
   * After a commit failed in a way that leaves its outcome unknown, tries to find the outcome out.
   *
   * @return what could be established; {@link CommitResolution#UNKNOWN} by default
   */
  default CommitResolution resolveCommitOutcome() {
    return CommitResolution.UNKNOWN;
  }
}
