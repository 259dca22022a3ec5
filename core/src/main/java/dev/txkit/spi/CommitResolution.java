package dev.txkit.spi;

/** What a resource established about a commit whose reply was lost ({@link ResourceTransaction#resolveCommitOutcome()}). */
public enum CommitResolution {
  /** The transaction committed. */
  COMMITTED,
  /** The transaction did not commit: a retry is safe. */
  NOT_COMMITTED,
  /** Nothing could be established. */
  UNKNOWN
}
