package dev.txkit;

/**
 * A statement that had to change exactly the expected number of rows changed another number, e.g.
 * {@code updateOne} updated zero rows: "out of stock", "no such account". Thrown inside the callback, it rolls
 * the transaction back like any exception; it is never retried.
 */
public class UnexpectedRowCountException extends TransactionException {
  private static final long serialVersionUID = 1L;

  /** The row count the call expected. */
  private final long expected;
  /** The row count it got. */
  private final long actual;

  /**
   * @param message what happened
   * @param expected rows expected
   * @param actual rows changed
   */
  public UnexpectedRowCountException(String message, long expected, long actual) {
    super(message, null);
    this.expected = expected;
    this.actual = actual;
  }

  /** @return the number of rows expected */
  public long expected() {
    return expected;
  }

  /** @return the number of rows the statement changed */
  public long actual() {
    return actual;
  }
}
