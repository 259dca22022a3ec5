package dev.txkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Ticker;
import dev.txkit.TxOptions;
import dev.txkit.spi.TransactionEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * The JFR events, read back from a recording file: with no listener registered, a running recording alone makes
 * txkit measure and emit its transaction and retry events.
 */
class JfrEventsTest {

  @Test
  void aRecordingShowsTransactionsAndRetriesWithTheirFigures() throws Exception {
    FakeResource resource = new FakeResource(new java.util.ArrayList<>());
    TransactionEngine engine = TransactionEngine.builder().ticker(Ticker.system()).sleeper(d -> { })
        .random(() -> 0.5).build();
    Path file = Files.createTempFile("txkit-jfr", ".jfr");
    try (Recording r = new Recording()) {
      r.enable("dev.txkit.Transaction").withThreshold(Duration.ZERO);
      r.enable("dev.txkit.Retry");
      r.start();
      engine.execute(resource, TxOptions.builder().name("jfr-transfer").build(), scope -> {
        long t = scope.statementStarted();
        scope.statementEnded(t);
        if (scope.attempt() == 1) {
          SQLException deadlock = new SQLException("deadlock found", "40001", 1213);
          throw deadlock;
        }
        return null;
      });
      r.stop();
      r.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Files.delete(file);
    List<RecordedEvent> transactions = events.stream()
        .filter(e -> e.getEventType().getName().equals("dev.txkit.Transaction")
            && "jfr-transfer".equals(e.getString("name")))
        .collect(Collectors.toList());
    assertEquals(1, transactions.size(), events.toString());
    RecordedEvent t = transactions.get(0);
    assertEquals("COMMITTED", t.getString("outcome"));
    assertEquals(2, t.getInt("attempts"));
    assertEquals(1, t.getInt("retries"));
    assertEquals("SERIALIZATION_FAILURE=1", t.getString("retriedFailures"));
    assertEquals(2, t.getInt("statements"));
    assertEquals("DEFAULT", t.getString("isolation"));
    assertFalse(t.getBoolean("manual"));
    assertTrue(t.getDuration().toNanos() > 0);
    assertTrue(t.getEventType().getCategoryNames().contains("txkit"));

    List<RecordedEvent> retries = events.stream()
        .filter(e -> e.getEventType().getName().equals("dev.txkit.Retry")
            && "jfr-transfer".equals(e.getString("name")))
        .collect(Collectors.toList());
    assertEquals(1, retries.size());
    RecordedEvent retry = retries.get(0);
    assertEquals(1, retry.getInt("attempt"));
    assertEquals("SERIALIZATION_FAILURE", retry.getString("kind"));
    assertEquals("40001", retry.getString("sqlState"));
    assertEquals(1213, retry.getInt("vendorCode"));
    assertEquals(Duration.ofMillis(5).toNanos() / 2, retry.getLong("delay"), "full jitter 0.5 of the first 5 ms");
  }

  @Test
  void withoutARecordingNothingIsMeasured() {
    assertFalse(Jfr.recording, "no recording runs in this test");
    FakeResource resource = new FakeResource(new java.util.ArrayList<>());
    TransactionEngine engine = TransactionEngine.builder().build();
    engine.execute(resource, TxOptions.defaults(), scope -> {
      assertFalse(scope.measured());
      return null;
    });
  }

  @Test
  void aRecordingWithoutTxkitsTransactionEventMeasuresNothing() {
    FakeResource resource = new FakeResource(new java.util.ArrayList<>());
    TransactionEngine engine = TransactionEngine.builder().build();
    try (Recording r = new Recording()) {
      r.disable("dev.txkit.Transaction");
      r.start();
      assertTrue(Jfr.recording, "a recording runs");
      engine.execute(resource, TxOptions.defaults(), scope -> {
        assertFalse(scope.measured(), "its event is off in the only recording: nothing to measure for");
        return null;
      });
      r.stop();
    }
    assertFalse(Jfr.recording);
  }
}
