package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionWarning;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/** The JFR event types and what fills them; used only through {@link Jfr}. */
final class JfrEvents {

  private JfrEvents() {
  }

  /** Keeps {@link Jfr#recording} up to date with the recorder's state. */
  static void listen() {
    FlightRecorder.addListener(new FlightRecorderListener() {
      @Override
      public void recorderInitialized(FlightRecorder recorder) {
        update(recorder);
      }

      @Override
      public void recordingStateChanged(Recording changed) {
        update(FlightRecorder.getFlightRecorder());
      }
    });
  }

  private static void update(FlightRecorder recorder) {
    boolean running = false;
    for (Recording r : recorder.getRecordings()) {
      if (r.getState() == RecordingState.RUNNING) {
        running = true;
        break;
      }
    }
    Jfr.recording = running;
  }

  static @Nullable Object beginTransaction() {
    TransactionEvent e = new TransactionEvent();
    if (!e.isEnabled()) {
      return null;
    }
    e.begin();
    return e;
  }

  static boolean endTransaction(Object event) {
    TransactionEvent e = (TransactionEvent) event;
    e.end();
    return e.shouldCommit();
  }

  static void commitTransaction(Object event, TransactionStats s) {
    TransactionEvent e = (TransactionEvent) event;
    e.name = s.transactionName();
    e.isolation = s.isolation().name();
    e.readOnly = s.readOnly();
    e.manual = s.manual();
    e.outcome = s.outcome().name();
    e.attempts = s.attempts();
    e.retries = s.retries();
    e.retriedFailures = kinds(s.retriesByKind());
    e.statements = s.statements();
    e.databaseTime = s.databaseNanos();
    e.idleTime = s.idleNanos();
    e.connectionWait = s.connectionWaitNanos();
    e.commit();
  }

  static @Nullable Object beginRetry() {
    RetryEvent e = new RetryEvent();
    if (!e.isEnabled()) {
      return null;
    }
    e.begin();
    return e;
  }

  static void commitRetry(Object event, String name, int attempt, Throwable failure, Classification c,
      Duration delay) {
    RetryEvent e = (RetryEvent) event;
    e.end();
    if (!e.shouldCommit()) {
      return;
    }
    e.name = name;
    e.attempt = attempt;
    e.kind = c.kind().name();
    SQLException sql = SqlCodes.find(failure);
    e.sqlState = sql == null ? null : sql.getSQLState();
    e.vendorCode = sql == null ? 0 : sql.getErrorCode();
    e.delay = Durations.nanos(delay);
    e.commit();
  }

  static void warning(TransactionWarning w) {
    WarningEvent e = new WarningEvent();
    if (!e.shouldCommit()) {
      return;
    }
    e.kind = w.kind().name();
    e.name = w.transactionName();
    e.attempt = w.attempt();
    e.message = w.message();
    e.commit();
  }

  private static @Nullable String kinds(Map<FailureKind, Integer> byKind) {
    if (byKind.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<FailureKind, Integer> en : byKind.entrySet()) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(en.getKey().name()).append('=').append(en.getValue());
    }
    return b.toString();
  }

  /** One call of a transaction: its duration, outcome and statistics. */
  @Name("dev.txkit.Transaction")
  @Label("Transaction")
  @Category({"txkit", "Transactions"})
  @Description("A call of a txkit transaction (all its attempts): outcome, attempts, statements, database and idle "
      + "time. The default threshold keeps the slow ones; set it to 0 ms to see every transaction")
  @StackTrace(true)
  @Threshold("10 ms")
  static final class TransactionEvent extends Event {
    @Label("Name")
    @Nullable String name;

    @Label("Isolation")
    @Description("The isolation asked for; DEFAULT is the database's")
    @Nullable String isolation;

    @Label("Read Only")
    boolean readOnly;

    @Label("Manual")
    @Description("Begun by hand (Transactions.begin) rather than with a callback")
    boolean manual;

    @Label("Outcome")
    @Description("COMMITTED, RESOLVED (committed, established after a lost reply), ROLLED_BACK, GAVE_UP or UNKNOWN")
    @Nullable String outcome;

    @Label("Attempts")
    int attempts;

    @Label("Retries")
    int retries;

    @Label("Retried Failures")
    @Description("Retried attempts by failure kind")
    @Nullable String retriedFailures;

    @Label("Statements")
    int statements;

    @Label("Database Time")
    @Description("Time inside JDBC calls: statements, commit, rollback")
    @Timespan(Timespan.NANOSECONDS)
    long databaseTime;

    @Label("Idle Time")
    @Description("Time the transaction was open outside JDBC calls: application work while it held its locks")
    @Timespan(Timespan.NANOSECONDS)
    long idleTime;

    @Label("Connection Wait")
    @Timespan(Timespan.NANOSECONDS)
    long connectionWait;
  }

  /** A failed attempt that is retried; the event's duration is the wait before the next attempt. */
  @Name("dev.txkit.Retry")
  @Label("Transaction Retry")
  @Category({"txkit", "Transactions"})
  @Description("A failed attempt of a txkit transaction that is retried; the duration is the back-off wait")
  @StackTrace(true)
  static final class RetryEvent extends Event {
    @Label("Name")
    @Nullable String name;

    @Label("Attempt")
    @Description("The number of the attempt that failed, from 1")
    int attempt;

    @Label("Failure Kind")
    @Nullable String kind;

    @Label("SQLState")
    @Nullable String sqlState;

    @Label("Vendor Code")
    int vendorCode;

    @Label("Delay")
    @Timespan(Timespan.NANOSECONDS)
    long delay;
  }

  /** A pitfall or configuration warning. */
  @Name("dev.txkit.Warning")
  @Label("Transaction Warning")
  @Category({"txkit", "Transactions"})
  @Description("A transaction pitfall txkit saw (long transaction, idle gap, blocking call) or a setting that "
      + "changes transaction semantics")
  @StackTrace(true)
  static final class WarningEvent extends Event {
    @Label("Kind")
    @Nullable String kind;

    @Label("Name")
    @Nullable String name;

    @Label("Attempt")
    int attempt;

    @Label("Message")
    @Nullable String message;
  }
}
