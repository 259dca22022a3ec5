package dev.txkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.LockOrder.LockKey;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockOrderTest {

  @Test
  void sortsAndRemovesDuplicates() {
    assertEquals(List.of(1, 2, 3, 10), LockOrder.sorted(List.of(10, 3, 1, 2, 3, 10, 1)));
    assertEquals(List.of("a", "b", "c"), LockOrder.sorted(List.of("c", "a", "b", "a")));
    assertEquals(List.of(), LockOrder.sorted(List.of()));
  }

  @Test
  void returnsANewListAndLeavesTheInputAlone() {
    List<Integer> in = new ArrayList<>(List.of(3, 1, 2));
    List<Integer> out = LockOrder.sorted(in);
    assertEquals(List.of(3, 1, 2), in);
    out.add(4);
    assertEquals(List.of(3, 1, 2), in);
  }

  @Test
  void comparesNumbersOfDifferentClassesByValue() {
    List<Number> keys = Arrays.asList(5L, 2, 10L, 3, 2L, BigInteger.valueOf(4), 5);
    List<Number> sorted = LockOrder.sorted(keys);
    assertEquals(List.of(2L, 3L, 4L, 5L, 10L), sorted.stream().map(Number::longValue).toList(),
        "2 and 2L are the same lock, as are 5L and 5");
    assertTrue(LockOrder.comparator().compare(10L, 9) > 0);
    assertTrue(LockOrder.comparator().compare(9, 10L) < 0);
    assertEquals(0, LockOrder.comparator().compare(7, 7L));
    assertTrue(LockOrder.comparator().compare(Long.MAX_VALUE, Integer.MAX_VALUE) > 0);
  }

  @Test
  void lockKeysSortByNamespaceThenKey() {
    LockKey orders1 = new LockKey("orders", 1);
    LockKey accounts10 = new LockKey("accounts", 10L);
    LockKey accounts2 = new LockKey("accounts", 2);
    LockKey accounts2Again = new LockKey("accounts", 2L);
    List<LockKey> sorted = LockOrder.sortedKeys(List.of(orders1, accounts10, accounts2, accounts2Again));
    assertEquals(List.of(accounts2, accounts10, orders1), sorted);
    assertTrue(new LockKey("a", 99).compareTo(new LockKey("b", 1)) < 0, "namespace first");
  }

  @Test
  void incomparableKeysAreRejectedWithAClearMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LockOrder.sorted(List.<Object>of(1, "one")));
    assertEquals("Lock keys must be mutually comparable; cannot order java.lang.String and java.lang.Integer",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> LockOrder.sortedKeys(List.of(new LockKey("t", 1), new LockKey("t", "x"))));
    assertTrue(e.getMessage().startsWith("Lock keys must be mutually comparable"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LockOrder.sorted(List.of(new Object())));
  }

  @Test
  void nullsAreRejected() {
    assertThrows(NullPointerException.class, () -> LockOrder.sorted(Arrays.asList(1, null)));
    assertThrows(NullPointerException.class, () -> LockOrder.sorted(null));
    assertThrows(NullPointerException.class, () -> new LockKey(null, 1));
    assertThrows(NullPointerException.class, () -> new LockKey("t", null));
  }
}
