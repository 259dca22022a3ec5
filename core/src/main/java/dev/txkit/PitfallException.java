package dev.txkit;

/**
 * Thrown in {@link PitfallMode#FAIL} where a pitfall was seen (the statement or commit after an idle gap, a
 * transaction open too long, a blocking call inside a transaction). The transaction rolls back and is not
 * retried.
 */
public final class PitfallException extends TransactionException {
  private static final long serialVersionUID = 1L;

  private final transient TransactionWarning warning;

  /**
   * @param warning what was seen
   */
  public PitfallException(TransactionWarning warning) {
    super(warning.message(), null);
    this.warning = warning;
  }

  /** @return what was seen */
  public TransactionWarning warning() {
    return warning;
  }
}
