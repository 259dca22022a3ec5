package dev.txkit.internal;

import dev.txkit.CompletionStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The completion hooks registered during one attempt. Confined to the attempt's thread. */
public final class Hooks {

  private List<Runnable> afterCommit;
  private List<Runnable> afterRollback;
  private List<Consumer<CompletionStatus>> afterCompletion;

  /** @param hook runs after the outermost commit */
  public void afterCommit(Runnable hook) {
    if (afterCommit == null) {
      afterCommit = new ArrayList<>(2);
    }
    afterCommit.add(hook);
  }

  /** @param hook runs after the transaction finally rolls back */
  public void afterRollback(Runnable hook) {
    if (afterRollback == null) {
      afterRollback = new ArrayList<>(2);
    }
    afterRollback.add(hook);
  }

  /** @param hook runs after the transaction ends, whatever the outcome */
  public void afterCompletion(Consumer<CompletionStatus> hook) {
    if (afterCompletion == null) {
      afterCompletion = new ArrayList<>(2);
    }
    afterCompletion.add(hook);
  }

  /**
   * A mark for {@link #dropAfterCommitSince(int)}.
   *
   * @return the number of after-commit hooks registered so far
   */
  public int mark() {
    return afterCommit == null ? 0 : afterCommit.size();
  }

  /**
   * Drops the after-commit hooks registered since the mark: their work was undone by a savepoint rollback.
   *
   * @param mark a value from {@link #mark()}
   */
  public void dropAfterCommitSince(int mark) {
    if (afterCommit != null) {
      afterCommit.subList(mark, afterCommit.size()).clear();
    }
  }

  boolean isEmpty() {
    return afterCommit == null && afterRollback == null && afterCompletion == null;
  }

  List<Runnable> afterCommitHooks() {
    return afterCommit == null ? List.of() : afterCommit;
  }

  List<Runnable> afterRollbackHooks() {
    return afterRollback == null ? List.of() : afterRollback;
  }

  List<Consumer<CompletionStatus>> afterCompletionHooks() {
    return afterCompletion == null ? List.of() : afterCompletion;
  }
}
