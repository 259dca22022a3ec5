package dev.txkit;

/** What the server has already undone when a failure arrives. */
public enum FailureScope {
  /**
   * Only the failed statement was undone; the transaction is still open and still holds its locks, so a
   * commit would persist everything before the failed statement.
   */
  STATEMENT,
  /**
   * The whole transaction is gone (rolled back by the server, or its connection lost). Nothing more can be
   * done in it; txkit dooms the attempt.
   */
  TRANSACTION
}
