package dev.txkit.jdbc.internal;

import org.jspecify.annotations.Nullable;

/** Which transaction scope is active on each thread, for one family of {@code Transactions}. */
public final class Binding {

  private final ThreadLocal<TxScope> current = new ThreadLocal<>();

  /** @return the innermost active scope on this thread, or null */
  public @Nullable TxScope current() {
    return current.get();
  }

  /**
   * Makes {@code scope} current.
   *
   * @param scope the new scope
   * @return the previous one, to restore
   */
  public @Nullable TxScope push(TxScope scope) {
    TxScope prev = current.get();
    current.set(scope);
    return prev;
  }

  /** @param previous the value {@link #push} returned */
  public void restore(@Nullable TxScope previous) {
    if (previous == null) {
      current.remove();
    } else {
      current.set(previous);
    }
  }
}
