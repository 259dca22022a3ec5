package dev.txkit.testing;

import dev.txkit.CompletionStatus;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.RetryEvent;
import dev.txkit.TransactionStats;
import dev.txkit.jdbc.Database;
import dev.txkit.testing.internal.ConnectionRecord;
import dev.txkit.testing.internal.Hub;
import dev.txkit.testing.internal.ServerModel;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The ordered trace of the JDBC calls made through one {@link FaultyDataSource}, with every fault that fired and
 * its ground truth, the transactions txkit ran (with {@link Faults#listener()} registered), and checks over them.
 *
 * <p>The trace holds getConnection, statement executions, batches, transaction control (autocommit, isolation,
 * read-only, savepoints, commit, rollback) and connection close, plus any call that failed or met a fault;
 * successful {@code ResultSet.next()} calls and parameter setters are left out. Thread-safe.
 *
 * <p>Longer than most classes because it is also the public home of the trace's record types ({@link Event},
 * {@link FiredFault}, {@link TransactionRun}) that the checks read; each check is a few lines over the trace.
 */
public final class Recorder {

  /**
   * One JDBC call.
   *
   * @param seq its position in the trace, from 1
   * @param thread the calling thread's name
   * @param connection the connection's id (0 for a getConnection that handed none out)
   * @param transaction the txkit transaction running on the thread, or null
   * @param attempt its attempt, or 0
   * @param method e.g. {@code PreparedStatement.executeUpdate} or {@code Connection.setAutoCommit(false)}
   * @param sql the statement, if any
   * @param failure what the call threw, or null if it returned normally
   * @param fault the fault that fired on it, or null
   * @param caller for transaction control calls: the class and method that made the call
   */
  public record Event(long seq, String thread, int connection, @Nullable String transaction, int attempt,
      String method, @Nullable String sql, @Nullable Throwable failure, @Nullable FiredFault fault,
      @Nullable String caller) {

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append('#').append(seq).append(" [").append(thread).append("] conn ").append(connection);
      if (transaction != null) {
        sb.append(" tx '").append(transaction).append("' attempt ").append(attempt);
      }
      sb.append(": ").append(method);
      if (sql != null) {
        sb.append(" [").append(sql).append(']');
      }
      if (failure != null) {
        sb.append(" -> ").append(failure.getClass().getSimpleName());
        if (failure instanceof SQLException) {
          sb.append(' ').append(((SQLException) failure).getSQLState());
        }
        sb.append(": ").append(failure.getMessage());
      } else {
        sb.append(" -> ok");
      }
      if (fault != null) {
        sb.append("  <== ").append(fault);
      }
      if (caller != null) {
        sb.append("  (by ").append(caller).append(')');
      }
      return sb.toString();
    }
  }

  /**
   * A fault that fired, with the ground truth of what happened on the server.
   *
   * @param fault the fault's description
   * @param point where it fired
   * @param applied whether the real call was made (a statement applied, a commit committed)
   * @param effect what happened on the server and to the connection
   */
  public record FiredFault(String fault, Point point, boolean applied, String effect) {
    @Override
    public String toString() {
      return "FAULT " + point + (applied ? " (applied)" : " (not applied)") + ": " + effect + " {" + fault + "}";
    }
  }

  /**
   * One call of a txkit transaction, as its listener saw it.
   *
   * @param name the transaction's name
   * @param attempts the attempts made
   * @param retriedKinds the failure kinds that were retried, in order
   * @param status how it ended, or null while running
   */
  public record TransactionRun(String name, int attempts, List<FailureKind> retriedKinds,
      @Nullable CompletionStatus status) {
  }

  private @Nullable Hub hub;
  private @Nullable Faults faults;
  private final List<TransactionRun> runs = new ArrayList<>();
  private final Map<Thread, Deque<Integer>> running = new HashMap<>();

  Recorder() {
  }

  void attach(Hub hub, Faults faults) {
    this.hub = hub;
    this.faults = faults;
  }

  private Hub hub() {
    return Objects.requireNonNull(hub);
  }

  /** @return the trace, in call order */
  public List<Event> events() {
    return hub().events();
  }

  /** @return the faults that fired, in order */
  public List<FiredFault> firedFaults() {
    List<FiredFault> out = new ArrayList<>();
    for (Event e : events()) {
      if (e.fault() != null) {
        out.add(e.fault());
      }
    }
    return out;
  }

  /** @return the txkit transactions seen by {@link Faults#listener()}, in order of their start */
  public synchronized List<TransactionRun> transactions() {
    return List.copyOf(runs);
  }

  /**
   * The last transaction started.
   *
   * @return it
   * @throws AssertionError if none was seen (is {@link Faults#listener()} registered?)
   */
  public synchronized TransactionRun lastTransaction() {
    if (runs.isEmpty()) {
      throw new AssertionError("No txkit transaction was seen; register the listener: "
          + "Transactions.builder(ds).listener(faults.listener())");
    }
    return runs.get(runs.size() - 1);
  }

  /** Forgets the trace and the transactions. */
  public synchronized void clear() {
    hub().clear();
    runs.clear();
    running.clear();
  }

  // ---- listener events -------------------------------------------------------------------------------------

  synchronized void onBegin(String name, int attempt) {
    Deque<Integer> stack = running.computeIfAbsent(Thread.currentThread(), t -> new ArrayDeque<>());
    Integer index = stack.peek();
    if (attempt > 1 && index != null && runs.get(index).name().equals(name)) {
      TransactionRun r = runs.get(index);
      runs.set(index, new TransactionRun(name, attempt, r.retriedKinds(), null));
      return;
    }
    runs.add(new TransactionRun(name, attempt, List.of(), null));
    stack.push(runs.size() - 1);
  }

  private @Nullable Integer top() {
    Deque<Integer> stack = running.get(Thread.currentThread());
    return stack == null ? null : stack.peek();
  }

  synchronized void onRetry(RetryEvent event) {
    Integer index = top();
    if (index != null) {
      TransactionRun r = runs.get(index);
      List<FailureKind> kinds = new ArrayList<>(r.retriedKinds());
      kinds.add(event.classification().kind());
      runs.set(index, new TransactionRun(r.name(), r.attempts(), List.copyOf(kinds), null));
    }
  }

  /** Every transaction, manual ones included, reports its completion: that ends its run. */
  synchronized void onComplete(TransactionStats stats) {
    Integer index = top();
    if (index != null && runs.get(index).name().equals(stats.transactionName())) {
      Objects.requireNonNull(running.get(Thread.currentThread())).pop();
      TransactionRun r = runs.get(index);
      runs.set(index, new TransactionRun(r.name(), stats.attempts(), r.retriedKinds(), stats.status()));
    }
  }

  // ---- checks ----------------------------------------------------------------------------------------------

  /**
   * Checks the attempts of the last transaction.
   *
   * @param expected the attempts expected
   * @throws AssertionError if they differ
   */
  public void assertAttempts(int expected) {
    TransactionRun r = lastTransaction();
    if (r.attempts() != expected) {
      throw failure("Transaction '" + r.name() + "' made " + r.attempts() + " attempt(s), expected " + expected);
    }
  }

  /**
   * Checks the failure kinds the last transaction retried, in order.
   *
   * @param kinds the kinds expected (none: no retry)
   * @throws AssertionError if they differ
   */
  public void assertRetried(FailureKind... kinds) {
    TransactionRun r = lastTransaction();
    if (!r.retriedKinds().equals(Arrays.asList(kinds))) {
      throw failure("Transaction '" + r.name() + "' retried " + r.retriedKinds() + ", expected "
          + Arrays.asList(kinds));
    }
  }

  /**
   * Checks that at least one {@code rollback()} was issued, and that every one came from txkit, not from a
   * connection pool resetting the connection on close nor from other code.
   *
   * @throws AssertionError otherwise
   */
  public void assertRollbackIssuedByLibrary() {
    List<Event> rollbacks = new ArrayList<>();
    List<Event> foreign = new ArrayList<>();
    for (Event e : events()) {
      if (e.method().equals("Connection.rollback")) {
        rollbacks.add(e);
        String c = e.caller();
        if (c == null || !c.startsWith("dev.txkit.") || c.startsWith("dev.txkit.testing.")) {
          foreign.add(e);
        }
      }
    }
    if (rollbacks.isEmpty()) {
      throw failure("No rollback() was issued at all");
    }
    if (!foreign.isEmpty()) {
      throw failure("rollback() was issued by other code than txkit: " + foreign);
    }
  }

  /**
   * Checks that after a call failed with a transaction-scope failure (the server rolled the transaction back, or
   * the connection was lost; on PostgreSQL also a deadlock or serialization failure, see
   * {@link ServerEffect#scope}), no statement ran on that connection before {@code rollback()} or close: a
   * statement there would silently run in a new transaction on MariaDB and H2. Which failures those are comes
   * from the {@link Failures} catalogue of the database ({@link Failures#identify}), not from txkit's
   * classifier; an exception the catalogue does not know counts when its SQLState class is 08 or 40.
   *
   * @throws AssertionError naming the offending statements
   */
  public void assertNoStatementAfterTransactionFailure() {
    Database db = hub().database();
    Map<Integer, Event> failedAt = new HashMap<>();
    List<String> offending = new ArrayList<>();
    for (Event e : events()) {
      String m = e.method();
      if (m.equals("Connection.rollback") || m.equals("Connection.close") || m.equals("Connection.abort")) {
        failedAt.remove(e.connection());
        continue;
      }
      boolean statement = m.contains(".execute");
      Event failed = failedAt.get(e.connection());
      if (statement && failed != null) {
        offending.add(e + " after " + failed);
      }
      Throwable thrown = e.failure();
      if (thrown != null && ServerModel.judge(null, db, thrown).scope() == FailureScope.TRANSACTION) {
        failedAt.putIfAbsent(e.connection(), e);
      }
    }
    if (!offending.isEmpty()) {
      throw failure("Statement(s) ran after a transaction-scope failure, before rollback: " + offending);
    }
  }

  /**
   * Checks that every connection closed (returned to the pool) had the autocommit, isolation and read-only it
   * had when handed out. Dropped connections are skipped.
   *
   * @throws AssertionError naming the connections whose state changed
   */
  public void assertConnectionStateRestored() {
    List<String> changed = new ArrayList<>();
    for (ConnectionRecord r : hub().connections()) {
      if (r.isClosed() && !r.isDropped() && r.initialState() != null && r.closingState() != null
          && !r.initialState().equals(r.closingState())) {
        changed.add("connection " + r.id() + ": handed out with {" + r.initialState() + "}, closed with {"
            + r.closingState() + "}");
      }
    }
    if (!changed.isEmpty()) {
      throw failure("Connection state was not restored: " + changed);
    }
  }

  /**
   * Checks that every connection, statement and result set handed out was closed (closing a connection closes its
   * statements, closing a statement its result sets).
   *
   * @throws AssertionError naming what is still open
   */
  public void assertAllClosed() {
    List<String> open = hub().openObjects();
    if (!open.isEmpty()) {
      throw failure("Not closed: " + open);
    }
  }

  /**
   * The trace as text, one call a line, with the seed of the probability triggers.
   *
   * @return the text
   */
  public String dump() {
    StringBuilder sb = new StringBuilder("txkit-testing trace (seed ")
        .append(faults == null ? "?" : String.valueOf(faults.seed())).append("):\n");
    for (Event e : events()) {
      sb.append("  ").append(e).append('\n');
    }
    for (TransactionRun r : transactions()) {
      sb.append("  transaction '").append(r.name()).append("': ").append(r.attempts()).append(" attempt(s), retried ")
          .append(r.retriedKinds()).append(", ").append(r.status()).append('\n');
    }
    return sb.toString();
  }

  private AssertionError failure(String message) {
    return new AssertionError(message + "\n" + dump());
  }

  @Override
  public String toString() {
    return dump();
  }
}
