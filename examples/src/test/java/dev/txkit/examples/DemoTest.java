package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void demoShowsTheRollbackTheRetryAndTheSoldOutFlight() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(out);
      Demo.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text);
    assertContains(text, "failed: UnexpectedRowCountException");
    assertContains(text, "total 150.00 (always 150.00)");
    assertContains(text, "failed with DEADLOCK");
    assertContains(text, "committed on attempt 2");
    assertContains(text, "5 orders committed, 3 out of stock; mice left: 0, invoiced: 10");
    assertContains(text, "booked (5)");
    assertContains(text, "sold out (15)");
    assertContains(text, "seats booked in the database: 5");
    assertTrue(!text.contains("unexpected:"), text);
  }

  private static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "demo output lacks '" + expected + "':\n" + text);
  }
}
