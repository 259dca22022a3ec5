package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.examples.TransferRace.Result;
import dev.txkit.examples.TransferRace.Strategy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's command line on embedded H2, with short runs. */
class DemoTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int demo(Demo demo, String... args) {
    return Demo.run(demo, new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void printsTheThreeStrategiesSideBySideWithTheMoneyCountedInTheDatabase() {
    Demo demo = new Demo();
    assertEquals(0, demo(demo, "--seconds", "0.4", "--threads", "4", "--no-progress"), err.toString());
    String text = out.toString();
    System.out.print(text);
    assertTrue(text.contains("txkit demo on H2 (embedded, in memory): 4 threads"), text);
    assertTrue(text.matches("(?s).*hand-written\\s+inTransaction\\s+\\+ lockRows.*"), text);
    assertTrue(text.contains("money in the database"), text);
    List<Result> results = demo.results();
    assertEquals(List.of(Strategy.HAND_WRITTEN, Strategy.IN_TRANSACTION, Strategy.LOCK_ROWS),
        results.stream().map(Result::strategy).toList());
    for (Result r : results.subList(1, 3)) {
      assertTrue(r.moneyConserved(), r.toString());
      assertEquals(0, r.callerErrors(), r.toString());
      assertTrue(text.contains(Demo.money(r.actualTotal())), text);
    }
    assertEquals(0, results.get(2).realDeadlocks(), "lockRows: " + results.get(2));
  }

  @Test
  void badOptionsAreRefusedWithTheReason() {
    assertEquals(2, demo(new Demo(), "--threads", "0"));
    assertTrue(err.toString().contains("threads must be at least 1, got 0"), err.toString());
    assertEquals(2, demo(new Demo(), "--fault-rate", "1.5"));
    assertTrue(err.toString().contains("the fault rate is a probability in [0, 1], got 1.5"), err.toString());
    assertEquals(2, demo(new Demo(), "--frobnicate"));
    assertTrue(err.toString().contains("Unknown option: '--frobnicate'"), err.toString());
  }
}
