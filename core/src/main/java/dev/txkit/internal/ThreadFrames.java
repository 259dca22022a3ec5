package dev.txkit.internal;

import dev.txkit.CurrentTransaction;
import dev.txkit.PitfallMode;
import dev.txkit.TransactionWarning;
import org.jspecify.annotations.Nullable;

/**
 * The blocks each thread is running, innermost first, across all engines: what nesting looks up and what
 * {@link CurrentTransaction} publishes. A frame is pushed when an attempt starts to begin (so that taking the
 * connection already belongs to it) and popped after its connection was handed back; nested blocks push and
 * pop around their callback. One thread-local, set but never removed, so that pushing allocates nothing.
 */
public final class ThreadFrames {

  private static final ThreadLocal<@Nullable Scope<?>> INNERMOST = new ThreadLocal<>();

  private ThreadFrames() {
  }

  /** @return the calling thread's innermost transaction, or null */
  public static @Nullable CurrentTransaction currentTransaction() {
    Scope<?> s = INNERMOST.get();
    return s == null ? null : s.attempt;
  }

  /** @return the innermost block of {@code engine} on this thread that user code runs in, or null */
  static @Nullable Scope<?> active(Engine engine) {
    for (Scope<?> s = INNERMOST.get(); s != null; s = s.previousOnThread) {
      if (s.attempt.call.engine == engine && s.isActiveFrame()) {
        return s;
      }
    }
    return null;
  }

  /** @return the innermost call of {@code engine} on this thread, active or not, or null */
  static @Nullable Call<?> innermostCall(Engine engine) {
    for (Scope<?> s = INNERMOST.get(); s != null; s = s.previousOnThread) {
      if (s.attempt.call.engine == engine) {
        return s.attempt.call;
      }
    }
    return null;
  }

  /**
   * A blocking call is about to be made on this thread: warns (or fails) if the innermost frame is an open
   * transaction whose engine watches for blocking calls. Frames being begun or ended (txkit's own connection
   * handling) and completion hooks (which run after the frame is gone) do not count.
   *
   * @param what the call
   */
  public static void blockingCall(String what) {
    Scope<?> s = INNERMOST.get();
    if (s == null || !s.isActiveFrame()) {
      return;
    }
    Call<?> call = s.attempt.call;
    Engine engine = call.engine;
    PitfallMode mode = engine.pitfalls.blockingCall();
    CallStats stats = call.stats;
    if (mode == PitfallMode.OFF || stats == null || stats.warnedBlocking) {
      return;
    }
    stats.warnedBlocking = true;
    engine.pitfall(mode, TransactionWarning.Kind.BLOCKING_CALL, call, s.attempt.number, "blocking call '" + what
        + "' while transaction '" + call.name + "' (attempt " + s.attempt.number + ") is open: the transaction "
        + "holds its connection and locks while it waits, and the call happens even if the transaction then rolls "
        + "back (or runs again when it is retried). Make the call after the commit: tx.afterCommit(() -> ...) is "
        + "the place for an email or an HTTP request");
  }

  /** @return how many attempts on this thread other than {@code except} hold a transaction of {@code resource} */
  static int openTransactions(Object resource, Attempt<?> except) {
    int n = 0;
    for (Scope<?> s = INNERMOST.get(); s != null; s = s.previousOnThread) {
      Attempt<?> a = s.attempt;
      if (a != except && s.parent == null && a.call.resource == resource && a.state() != AttemptState.BEGINNING
          && a.state() != AttemptState.CLOSED) {
        n++;
      }
    }
    return n;
  }

  /** @return whether the calling thread runs no txkit transaction at all */
  static boolean isEmpty() {
    return INNERMOST.get() == null;
  }

  static void push(Scope<?> s) {
    s.previousOnThread = INNERMOST.get();
    INNERMOST.set(s);
  }

  /** Unlinks {@code s}: normally the innermost frame, but a manual transaction may end below later frames. */
  static void pop(Scope<?> s) {
    Scope<?> top = INNERMOST.get();
    if (top == s) {
      INNERMOST.set(s.previousOnThread);
    } else {
      for (Scope<?> f = top; f != null; f = f.previousOnThread) {
        if (f.previousOnThread == s) {
          f.previousOnThread = s.previousOnThread;
          break;
        }
      }
    }
    s.previousOnThread = null;
  }
}
