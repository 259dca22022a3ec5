package dev.txkit.testing;

import java.util.List;

/**
 * A cycle in the order in which transactions took their locks, found by the {@link LockOrderChecker}: each
 * transaction of the cycle held one lock while it took the next, so run at the same time they can deadlock, even
 * if they never did. Immutable.
 *
 * @param steps the edges of the cycle: step i holds the lock that step i - 1 takes
 */
public record PossibleDeadlock(List<Step> steps) {

  /**
   * One transaction taking a lock while holding another.
   *
   * @param transaction the txkit transaction's name, or {@code "(no txkit transaction)"}
   * @param attempt its attempt (0 outside txkit)
   * @param thread the thread
   * @param connection the connection's id in the trace
   * @param held the lock it held, e.g. {@code accounts:1}
   * @param heldBy the statement that took it
   * @param taken the lock it took meanwhile
   * @param takenBy the statement that took that one
   */
  public record Step(String transaction, int attempt, String thread, int connection, String held, String heldBy,
      String taken, String takenBy) {

    @Override
    public String toString() {
      return "'" + transaction + "'" + (attempt > 0 ? " (attempt " + attempt + ")" : "") + " on thread " + thread
          + ", connection " + connection + ": held " + held + " [" + heldBy + "] while taking " + taken + " ["
          + takenBy + "]";
    }
  }

  /**
   * A possible deadlock.
   *
   * @param steps the cycle's edges
   */
  public PossibleDeadlock {
    steps = List.copyOf(steps);
  }

  /** @return the locks of the cycle, in order, e.g. {@code [accounts:1, accounts:2]} */
  public List<String> locks() {
    return steps.stream().map(Step::held).toList();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Possible deadlock: ").append(steps.size())
        .append(" transactions take the locks ").append(String.join(" -> ", locks())).append(" -> ")
        .append(steps.get(0).held()).append(" in a cycle:\n");
    for (Step s : steps) {
      sb.append("    ").append(s).append('\n');
    }
    sb.append("  Take the locks in one order (tx.lockRows(table, keyColumn, keys) sorts them) before changing the "
        + "rows.");
    return sb.toString();
  }
}
