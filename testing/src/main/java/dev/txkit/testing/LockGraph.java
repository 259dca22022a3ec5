package dev.txkit.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The lock-order graph of a {@link LockOrderChecker}: an edge "held A while taking B" per pair of locks, with the
 * first transaction that made it and the locks that guarded it, and the cycles found as edges are added. Not
 * thread-safe (the checker synchronizes).
 */
final class LockGraph {

  /**
   * An edge: the first transaction that made it, and the locks every transaction that made it held besides
   * {@code from} (a lock that guards every edge of a cycle, such as an advisory lock of {@code lockKeys} taken
   * first, keeps the cycle from deadlocking).
   */
  private static final class Edge {
    final String from;
    final String to;
    final PossibleDeadlock.Step witness;
    final long tx;
    final Set<String> guards;

    Edge(String from, String to, PossibleDeadlock.Step witness, long tx, Set<String> guards) {
      this.from = from;
      this.to = to;
      this.witness = witness;
      this.tx = tx;
      this.guards = guards;
    }
  }

  private final Map<String, Map<String, Edge>> edges = new HashMap<>();
  private final Map<String, PossibleDeadlock> cycles = new LinkedHashMap<>();

  /**
   * Adds that a transaction took a lock while holding another.
   *
   * @param step who, and the statements on both sides
   * @param tx the transaction's number, to tell transactions apart
   * @param guards the other locks it held then
   * @return the cycle this closes, if it is a new one and no lock guards all of it; else null
   */
  @Nullable PossibleDeadlock add(PossibleDeadlock.Step step, long tx, Set<String> guards) {
    Map<String, Edge> out = edges.computeIfAbsent(step.held(), k -> new HashMap<>());
    Edge edge = out.get(step.taken());
    if (edge != null) {
      if (guards.containsAll(edge.guards)) {
        return null;
      }
      // this time fewer locks guarded it: look for cycles again
      edge.guards.retainAll(guards);
      return cycle(edge);
    }
    edge = new Edge(step.held(), step.taken(), step, tx, new HashSet<>(guards));
    out.put(step.taken(), edge);
    return cycle(edge);
  }

  private @Nullable PossibleDeadlock cycle(Edge edge) {
    List<Edge> back = path(edge.to, edge.from);
    if (back == null) {
      return null;
    }
    List<PossibleDeadlock.Step> steps = new ArrayList<>();
    steps.add(edge.witness);
    Set<Long> txs = new HashSet<>();
    txs.add(edge.tx);
    Set<String> guarded = new HashSet<>(edge.guards);
    for (Edge b : back) {
      steps.add(b.witness);
      txs.add(b.tx);
      guarded.retainAll(b.guards);
    }
    if (txs.size() < 2 || !guarded.isEmpty()) {
      return null;
    }
    TreeSet<String> nodes = new TreeSet<>();
    for (PossibleDeadlock.Step s : steps) {
      nodes.add(s.held());
    }
    String id = nodes.toString();
    if (cycles.containsKey(id)) {
      return null;
    }
    PossibleDeadlock d = new PossibleDeadlock(steps);
    cycles.put(id, d);
    return d;
  }

  /** A path of edges from one lock to another (breadth first), or null. */
  private @Nullable List<Edge> path(String from, String to) {
    Map<String, Edge> via = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>();
    queue.add(from);
    Set<String> seen = new HashSet<>();
    seen.add(from);
    while (!queue.isEmpty()) {
      String n = queue.poll();
      if (n.equals(to)) {
        List<Edge> p = new ArrayList<>();
        for (String at = to; !at.equals(from); ) {
          Edge step = Objects.requireNonNull(via.get(at));
          p.add(0, step);
          at = step.from;
        }
        return p;
      }
      for (Edge e : edges.getOrDefault(n, Map.of()).values()) {
        if (seen.add(e.to)) {
          via.put(e.to, e);
          queue.add(e.to);
        }
      }
    }
    return null;
  }

  /** @return the cycles found, one per set of locks */
  List<PossibleDeadlock> cycles() {
    return List.copyOf(cycles.values());
  }

  /** @return the number of edges */
  int edges() {
    int n = 0;
    for (Map<String, Edge> m : edges.values()) {
      n += m.size();
    }
    return n;
  }

  /** @return every lock that is the end of an edge, sorted */
  Set<String> locks() {
    Set<String> out = new TreeSet<>(edges.keySet());
    for (Map<String, Edge> m : edges.values()) {
      out.addAll(m.keySet());
    }
    return out;
  }
}
