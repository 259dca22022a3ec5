package dev.txkit.internal;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Gate}s of this process (of this class loader), one per transaction name, shared by every engine: the
 * attempts of one name contend for the same rows whichever {@code Transactions} runs them (one per node of a
 * cluster, say).
 *
 * <p>Bounded: past {@link #MAX_NAMES} names, the idle gates (nothing running, waiting or limited) are dropped
 * before a new one is added, so a program that makes up transaction names does not grow the map forever. A gate
 * dropped while a thread is about to enter it only weakens contention control for that moment.
 */
final class Limiter {

  static final int MAX_NAMES = 1024;

  static final Limiter PROCESS = new Limiter();

  private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();

  /**
   * @param name a transaction name
   * @return its gate
   */
  Gate gate(String name) {
    Gate g = gates.get(name);
    if (g != null) {
      return g;
    }
    if (gates.size() >= MAX_NAMES) {
      gates.values().removeIf(Gate::idle);
    }
    return gates.computeIfAbsent(name, n -> new Gate());
  }

  /**
   * @param name a transaction name
   * @return its gate, or null if it has none
   */
  @Nullable Gate find(String name) {
    return gates.get(name);
  }
}
