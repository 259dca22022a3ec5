package dev.txkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The canonical order in which txkit takes locks: by namespace (e.g. table name), then by key. Transactions
 * that take all their locks in this order cannot deadlock on them. Use it in code that takes its locks itself;
 * {@code Tx.lockRows} and {@code Tx.lockKeys} already do.
 *
 * <p>Stateless and thread-safe.
 */
public final class LockOrder {

  private LockOrder() {
  }

  /**
   * A lock key: a namespace and a key within it.
   *
   * @param namespace what the key belongs to, e.g. a table name
   * @param key the key, comparable to the other keys of its namespace
   */
  public record LockKey(String namespace, Comparable<?> key) implements Comparable<LockKey> {

    /**
     * @param namespace what kind of key (a table, say)
     * @param key the key within it
     * @throws NullPointerException if an argument is null
     */
    public LockKey {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(key, "key");
    }

    @Override
    public int compareTo(LockKey o) {
      int c = namespace.compareTo(o.namespace);
      return c != 0 ? c : compareKeys(key, o.key);
    }
  }

  /**
   * Sorts keys into lock order and removes duplicates.
   *
   * @param keys the keys, all of one mutually comparable type (numbers of different classes are compared by
   *     value)
   * @param <K> the key type
   * @return a new list, sorted and without duplicates
   * @throws NullPointerException if {@code keys} or any key is null
   * @throws IllegalArgumentException if two keys cannot be compared
   */
  public static <K> List<K> sorted(Collection<? extends K> keys) {
    Objects.requireNonNull(keys, "keys");
    TreeSet<K> set = new TreeSet<>(LockOrder::compareKeys);
    for (K k : keys) {
      set.add(Objects.requireNonNull(k, "keys must not contain null"));
    }
    return new ArrayList<>(set);
  }

  /**
   * Sorts namespaced keys into lock order and removes duplicates.
   *
   * @param keys the keys
   * @return a new sorted list without duplicates
   * @throws NullPointerException if {@code keys} or any key is null
   */
  public static List<LockKey> sortedKeys(Collection<LockKey> keys) {
    return sorted(keys);
  }

  /** The comparator of lock order. */
  private static final Comparator<Object> ORDER = LockOrder::compareKeys;

  /**
   * The comparator of lock order, for code that sorts its own collections.
   *
   * @return the comparator
   */
  public static Comparator<Object> comparator() {
    return ORDER;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compareKeys(Object a, Object b) {
    if (a instanceof Number && b instanceof Number && !(a instanceof Comparable && a.getClass() == b.getClass())) {
      try {
        return new java.math.BigDecimal(a.toString()).compareTo(new java.math.BigDecimal(b.toString()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Lock keys must be finite numbers; cannot order " + a + " and " + b, e);
      }
    }
    if (a instanceof Comparable && a.getClass().isInstance(b)) {
      return ((Comparable) a).compareTo(b);
    }
    if (b instanceof Comparable && b.getClass().isInstance(a)) {
      return -((Comparable) b).compareTo(a);
    }
    throw new IllegalArgumentException("Lock keys must be mutually comparable; cannot order " + a.getClass().getName()
        + " and " + b.getClass().getName());
  }
}
