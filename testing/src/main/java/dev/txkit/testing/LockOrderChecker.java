package dev.txkit.testing;

import dev.txkit.testing.internal.Hub;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Lockdep for transactions: records, per transaction, the order in which it takes its lock keys, builds the graph
 * "held A while taking B" across every transaction seen, and reports each cycle as a {@link PossibleDeadlock},
 * with the transactions and statements on both sides, even when the run never deadlocked.
 *
 * <pre>{@code
 * LockOrderChecker locks = LockOrderChecker.attach(faultyDataSource);
 * transfer(1, 2);              // one after the other, on one thread: no real deadlock needed
 * transfer(2, 1);
 * locks.assertNoPossibleDeadlocks();   // fails: 'transfer' held accounts:1 while taking accounts:2, and back
 * }</pre>
 *
 * <p>Locks are recognised from the statements that ran through the {@link FaultyDataSource} and their bound
 * parameters: {@code lockRows} and {@code SELECT ... FOR UPDATE}, {@code UPDATE} and {@code DELETE} of one table by
 * primary key ({@code =} or {@code IN}, joined by {@code AND}), and {@code lockKeys} (PostgreSQL advisory locks,
 * MariaDB {@code GET_LOCK}). Several keys of one statement count as taken in key order. Primary keys are read from
 * the database's metadata on first sight of a table, or declared with {@link #primaryKey}. Locking statements it
 * cannot understand (an {@code OR}, a join, no key) are listed by {@link #unrecognised()}. Locks are released when
 * the transaction commits or rolls back; a statement in autocommit mode is a transaction of its own. A cycle whose
 * every edge was taken while holding one same lock (the advisory locks of {@code lockKeys} taken first) cannot
 * deadlock and is not reported. Shared locks
 * ({@code FOR SHARE}) and the gap locks of InnoDB are not modelled.
 *
 * <p>For a longer run, {@link #onPossibleDeadlock} reports each new cycle as it appears. Thread-safe.
 */
public final class LockOrderChecker {

  /** One lock held by a transaction, and the statement that took it. */
  private record Held(String key, String sql) {
  }

  /** A transaction as the checker follows it, on one connection. */
  private static final class Tx {
    final int connection;
    final long number;
    @Nullable String name;
    int attempt;
    String thread = "?";
    final Map<String, Held> held = new LinkedHashMap<>();

    Tx(int connection, long number) {
      this.connection = connection;
      this.number = number;
    }
  }

  private final Hub hub;
  private final LockStatements statements = new LockStatements();
  private final Hub.Observer observer = this::onCall;
  private final Map<Integer, Tx> open = new HashMap<>();
  private final Map<Integer, Boolean> autoCommit = new HashMap<>();
  private final LockGraph graph = new LockGraph();
  /** Every lock seen, also those never taken while holding another. */
  private final Set<String> seen = new TreeSet<>();
  private final Set<String> unrecognised = new LinkedHashSet<>();
  private final List<Consumer<PossibleDeadlock>> listeners = new CopyOnWriteArrayList<>();
  private long transactions;
  private long lockStatements;

  private LockOrderChecker(Hub hub) {
    this.hub = hub;
  }

  /**
   * Starts following the transactions of a faulty data source (from now on).
   *
   * @param dataSource the data source the code under test uses
   * @return the checker
   */
  public static LockOrderChecker attach(FaultyDataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    LockOrderChecker c = new LockOrderChecker(dataSource.hub());
    c.hub.observe(c.observer);
    return c;
  }

  /** Stops following the data source; what was found stays. */
  public void detach() {
    hub.unobserve(observer);
  }

  /**
   * Declares a table's primary key, for a table whose metadata does not tell (a view, or a key the database does
   * not declare).
   *
   * @param table the table
   * @param columns its key columns, in order
   * @return this checker
   */
  public LockOrderChecker primaryKey(String table, String... columns) {
    TableState.checkName(table);
    if (columns.length == 0) {
      throw new IllegalArgumentException("give the key's columns of table " + table);
    }
    statements.primaryKey(table, Arrays.asList(columns));
    return this;
  }

  /**
   * Calls a listener with each new possible deadlock as soon as the lock that closes the cycle is taken, on the
   * thread that took it. The listener must be fast and must not throw.
   *
   * @param listener the listener
   * @return this checker
   */
  public LockOrderChecker onPossibleDeadlock(Consumer<PossibleDeadlock> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** @return the possible deadlocks found so far, one per cycle of locks */
  public synchronized List<PossibleDeadlock> possibleDeadlocks() {
    return graph.cycles();
  }

  /** @return the locking statements whose locks could not be recognised, each with why */
  public synchronized List<String> unrecognised() {
    return List.copyOf(unrecognised);
  }

  /** @return the lock keys seen, sorted */
  public synchronized Set<String> locks() {
    return Set.copyOf(seen);
  }

  /**
   * Fails if a cycle was found.
   *
   * @throws AssertionError with every possible deadlock and the statements on both sides
   */
  public void assertNoPossibleDeadlocks() {
    List<PossibleDeadlock> found = possibleDeadlocks();
    if (!found.isEmpty()) {
      StringBuilder sb = new StringBuilder(found.size() + " possible deadlock(s) in the lock order of "
          + "the transactions:\n");
      for (PossibleDeadlock d : found) {
        sb.append("  ").append(d).append('\n');
      }
      throw new AssertionError(sb.append(report()).toString());
    }
  }

  /** @return what the checker saw: transactions, locking statements, lock order edges, unrecognised statements */
  public synchronized String report() {
    StringBuilder sb = new StringBuilder("Lock order: ").append(transactions).append(" transaction(s) took locks in ")
        .append(lockStatements).append(" statement(s); ").append(graph.edges()).append(" order edge(s) between ")
        .append(seen.size()).append(" lock(s); ").append(graph.cycles().size()).append(" cycle(s)");
    if (!unrecognised.isEmpty()) {
      sb.append("\n  not recognised (their locks are not in the graph):");
      for (String u : unrecognised) {
        sb.append("\n    ").append(u);
      }
    }
    return sb.toString();
  }

  // ---- following the trace -------------------------------------------------------------------------------

  private void onCall(Recorder.Event e, List<List<@Nullable Object>> parameters, @Nullable Connection connection) {
    String m = e.method();
    List<PossibleDeadlock> found = null;
    synchronized (this) {
      int id = e.connection();
      if (m.equals("Connection.setAutoCommit(false)") && e.failure() == null) {
        autoCommit.put(id, false);
      } else if (m.equals("Connection.setAutoCommit(true)")) {
        end(id);
        autoCommit.put(id, true);
      } else if (m.equals("Connection.commit") || (m.equals("Connection.rollback") && e.caller() != null)) {
        // a rollback to a savepoint is recorded without a caller; row locks stay with the transaction then
        end(id);
      } else if (m.equals("Connection.close") || m.equals("Connection.abort")) {
        end(id);
        autoCommit.remove(id);
      } else if (m.contains(".execute") && e.failure() == null && e.sql() != null) {
        found = statement(e, parameters, connection);
      }
    }
    if (found != null) {
      for (PossibleDeadlock d : found) {
        for (Consumer<PossibleDeadlock> l : listeners) {
          l.accept(d);
        }
      }
    }
  }

  private void end(int connection) {
    open.remove(connection);
  }

  private @Nullable List<PossibleDeadlock> statement(Recorder.Event e, List<List<@Nullable Object>> parameters,
      @Nullable Connection connection) {
    String sql = Objects.requireNonNull(e.sql());
    List<List<@Nullable Object>> rows = parameters.isEmpty() ? List.of(List.of()) : parameters;
    List<String> keys = new ArrayList<>();
    for (List<@Nullable Object> row : rows) {
      LockStatements.Locks l = statements.locks(sql, row, connection);
      if (l.unrecognised() != null) {
        unrecognised.add("[" + sql + "]: " + l.unrecognised());
      }
      for (String k : l.keys()) {
        if (!keys.contains(k)) {
          keys.add(k);
        }
      }
    }
    if (keys.isEmpty()) {
      return null;
    }
    lockStatements++;
    Tx tx = open.get(e.connection());
    if (tx == null) {
      tx = new Tx(e.connection(), ++transactions);
      open.put(e.connection(), tx);
    }
    if (tx.name == null) {
      tx.name = e.transaction();
      tx.attempt = e.attempt();
      tx.thread = e.thread();
    }
    List<PossibleDeadlock> found = null;
    for (String k : keys) {
      if (tx.held.containsKey(k)) {
        continue;
      }
      seen.add(k);
      for (Held h : tx.held.values()) {
        Set<String> guards = new HashSet<>(tx.held.keySet());
        guards.remove(h.key());
        PossibleDeadlock.Step step = new PossibleDeadlock.Step(tx.name == null ? "(no txkit transaction)" : tx.name,
            tx.attempt, tx.thread, tx.connection, h.key(), h.sql(), k, sql);
        PossibleDeadlock d = graph.add(step, tx.number, guards);
        if (d != null) {
          if (found == null) {
            found = new ArrayList<>(1);
          }
          found.add(d);
        }
      }
      tx.held.put(k, new Held(k, sql));
    }
    if (autoCommit.getOrDefault(e.connection(), true)) {
      end(e.connection());
    }
    return found;
  }

  @Override
  public String toString() {
    return report();
  }
}
