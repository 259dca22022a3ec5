package dev.txkit;

import java.util.Objects;

/**
 * The result of classifying a failure: its kind and its scope.
 *
 * @param kind what went wrong
 * @param scope what the server already undid
 */
public record Classification(FailureKind kind, FailureScope scope) {

  /** A failure nobody recognised: kind {@link FailureKind#OTHER}, statement scope. */
  public static final Classification UNRECOGNISED = new Classification(FailureKind.OTHER, FailureScope.STATEMENT);

  /**
   * Creates a classification.
   *
   * @param kind what kind of failure
   * @param scope what the database already undid
   * @throws NullPointerException if an argument is null
   */
  public Classification {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(scope, "scope");
  }

  /**
   * Whether the server rolled back the whole transaction (or lost it with the connection).
   *
   * @return true for {@link FailureScope#TRANSACTION}
   */
  public boolean dooms() {
    return scope == FailureScope.TRANSACTION;
  }
}
