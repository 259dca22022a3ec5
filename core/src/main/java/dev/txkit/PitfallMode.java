package dev.txkit;

/** What txkit does when it sees a pitfall ({@link Pitfalls}). */
public enum PitfallMode {
  /** Nothing; nothing is measured for it either. */
  OFF,
  /** Reports a {@link TransactionWarning} (logged at WARN by the JDBC binding, and given to listeners). */
  WARN,
  /**
   * Reports the warning, then fails: the statement (or commit) where the pitfall was seen throws
   * {@link PitfallException} and the transaction rolls back. Meant for tests, to make a pitfall fail the build.
   */
  FAIL
}
