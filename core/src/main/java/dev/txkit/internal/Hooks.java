package dev.txkit.internal;

import dev.txkit.CompletionStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The completion hooks registered during one attempt, and how they run. Confined to the attempt's thread. */
final class Hooks {

  private @Nullable List<Runnable> afterCommit;
  private @Nullable List<Runnable> afterRollback;
  private @Nullable List<Consumer<CompletionStatus>> afterCompletion;

  void afterCommit(Runnable hook) {
    if (afterCommit == null) {
      afterCommit = new ArrayList<>(2);
    }
    afterCommit.add(hook);
  }

  void afterRollback(Runnable hook) {
    if (afterRollback == null) {
      afterRollback = new ArrayList<>(2);
    }
    afterRollback.add(hook);
  }

  void afterCompletion(Consumer<CompletionStatus> hook) {
    if (afterCompletion == null) {
      afterCompletion = new ArrayList<>(2);
    }
    afterCompletion.add(hook);
  }

  /** @return the number of after-commit hooks registered so far, for {@link #dropAfterCommitSince} */
  int mark() {
    return afterCommit == null ? 0 : afterCommit.size();
  }

  /**
   * Drops the after-commit hooks registered since the mark: their work was undone by a savepoint rollback.
   *
   * @param mark a value from {@link #mark()}
   */
  void dropAfterCommitSince(int mark) {
    if (afterCommit != null) {
      afterCommit.subList(mark, afterCommit.size()).clear();
    }
  }

  /**
   * Runs the hooks for how the transaction ended, in registration order: the after-commit or after-rollback
   * hooks, then the after-completion hooks. A hook that throws an exception is reported and the others still
   * run; so they do after an {@link Error}, which is returned to be thrown once everything has run (the
   * transaction's outcome stands: an Error is not swallowed, but it does not skip what comes after it).
   *
   * @param name the transaction's name
   * @param status how it ended
   * @param listeners where failures are reported
   * @return the first Error a hook threw, or null
   */
  @Nullable Error run(String name, CompletionStatus status, Listeners listeners) {
    Error error = null;
    List<Runnable> outcome = status == CompletionStatus.COMMITTED ? afterCommit
        : status == CompletionStatus.ROLLED_BACK ? afterRollback : null;
    if (outcome != null) {
      for (Runnable r : outcome) {
        error = runOne(name, r, null, status, listeners, error);
      }
    }
    if (afterCompletion != null) {
      for (Consumer<CompletionStatus> c : afterCompletion) {
        error = runOne(name, null, c, status, listeners, error);
      }
    }
    return error;
  }

  private static @Nullable Error runOne(String name, @Nullable Runnable r, @Nullable Consumer<CompletionStatus> c,
      CompletionStatus status, Listeners listeners, @Nullable Error first) {
    try {
      if (r != null) {
        r.run();
      } else if (c != null) {
        c.accept(status);
      }
    } catch (RuntimeException e) {
      listeners.hookFailure(name, e);
    } catch (Error e) {
      listeners.hookFailure(name, e);
      if (first == null) {
        return e;
      }
      first.addSuppressed(e);
    }
    return first;
  }
}
