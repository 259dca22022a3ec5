package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.TransactionCallback;
import dev.txkit.spi.TransactionScope;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Puts the transaction's name and attempt in SLF4J's MDC while its callback runs, so that the application's own
 * log lines carry them, and puts back what was there before (an enclosing transaction's values, for a nested or
 * {@code REQUIRES_NEW} call), also when the callback throws.
 */
public final class Mdc {

  /** The MDC key of the transaction's name. */
  public static final String TRANSACTION = "txkit.transaction";
  /** The MDC key of the attempt number. */
  public static final String ATTEMPT = "txkit.attempt";

  private static final String[] ATTEMPTS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};

  private Mdc() {
  }

  /**
   * Runs the callback with the MDC set.
   *
   * @param scope the block
   * @param callback the user's callback
   * @param <T> its result
   * @param <X> its checked exception
   * @return its result
   * @throws X what it threw
   */
  public static <T, X extends Exception> T call(TransactionScope<JdbcAttempt> scope,
      TransactionCallback<T, X> callback) throws X {
    String name = MDC.get(TRANSACTION);
    String attempt = MDC.get(ATTEMPT);
    int n = scope.attempt();
    MDC.put(TRANSACTION, scope.transactionName());
    MDC.put(ATTEMPT, n < ATTEMPTS.length ? ATTEMPTS[n] : Integer.toString(n));
    try {
      return callback.apply(new TxScope(scope));
    } finally {
      restore(TRANSACTION, name);
      restore(ATTEMPT, attempt);
    }
  }

  private static void restore(String key, @Nullable String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
