package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.TransactionListener;
import dev.txkit.TxOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * The README promises that txkit logs through SLF4J. A failing after-commit hook and a failing listener are
 * abnormal events: an application that logs through SLF4J (and has no bridge for {@code System.Logger}) sees each
 * as one WARN event naming the transaction, with the exception.
 *
 * <p>Before, core reported both through {@code System.Logger} (java.util.logging by default), so an SLF4J user
 * saw nothing. Now the engine hands its warnings to the binding, which logs them through SLF4J.
 */
class HookFailureLoggingTest {

  @Test
  void aFailingHookAndAFailingListenerAreWarnedAboutThroughSlf4j() {
    assertTrue(CapturedLogs.bound(), "the test's SLF4J provider is bound (slf4j.provider in the jdbc pom)");
    TestDatabases.TestDb db = TestDatabases.h2();
    db.createTable("t8_hooks", "id BIGINT PRIMARY KEY");
    IllegalStateException hookFailure = new IllegalStateException("mail server down");
    IllegalStateException listenerFailure = new IllegalStateException("metrics down");
    Transactions txs = Transactions.builder(db.dataSource()).listener(new TransactionListener() {
      @Override
      public void onCommit(String name, int attempt) {
        throw listenerFailure;
      }
    }).build();
    CapturedLogs.start();
    List<CapturedLogs.Event> events;
    try {
      txs.useTransaction(TxOptions.builder().name("signup").build(), tx -> {
        tx.update("INSERT INTO t8_hooks VALUES (1)");
        tx.afterCommit(() -> {
          throw hookFailure;
        });
      });
    } finally {
      events = CapturedLogs.stop();
    }
    assertEquals(1L, db.queryLong("SELECT COUNT(*) FROM t8_hooks"), "the commit stands");
    assertEquals(1, events.stream().filter(e -> e.throwable() == hookFailure && e.level() == Level.WARN
        && e.message().contains("signup") && e.logger().startsWith("dev.txkit")).count(), "hook: " + events);
    assertEquals(1, events.stream().filter(e -> e.throwable() == listenerFailure && e.level() == Level.WARN
        && e.message().contains("signup") && e.logger().startsWith("dev.txkit")).count(), "listener: " + events);
  }
}
