package dev.txkit.internal;

/** What an outcome resolver established about a commit whose reply was lost. */
public enum CommitResolution {
  /** The transaction committed. */
  COMMITTED,
  /** The transaction did not commit: a retry is safe. */
  NOT_COMMITTED,
  /** Nothing could be established. */
  UNKNOWN
}
