package dev.txkit.internal;

/**
 * The work of one attempt: normally calls the user's callback with a {@code tx} handle built on the attempt.
 *
 * @param <A> the resource's attempt type
 * @param <T> the result
 * @param <X> the checked exception the user's callback may throw
 */
@FunctionalInterface
public interface AttemptBody<A extends ResourceAttempt, T, X extends Exception> {

  /**
   * Runs the attempt's work.
   *
   * @param attempt the resource attempt
   * @param context the attempt's state
   * @return the result
   * @throws X what the callback throws
   */
  T run(A attempt, AttemptContext context) throws X;
}
