package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.CompletionStatus;
import dev.txkit.FailureKind;
import dev.txkit.GiveUpEvent;
import dev.txkit.Outcome;
import dev.txkit.RetryEvent;
import dev.txkit.RetryPolicy;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import dev.txkit.spi.AttemptBody;
import dev.txkit.spi.ManualScope;
import dev.txkit.spi.ResourceTransaction;
import dev.txkit.spi.TransactionResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One transaction of its own (an outermost call, a {@code REQUIRES_NEW} call, or a manual transaction): the
 * attempt loop. Each attempt runs as an {@link Attempt}; a failed one is rolled back, and retried when the
 * {@link RetryDecision} says so, after the backoff. The deadline and the retry budget are the call's.
 * Confined to the calling thread. Over 300 lines: the attempt loop, its ways to give up (after an attempt, and
 * before one is let in by the contention gate) and the completion report share the call's state.
 *
 * @param <C> the resource's transaction type
 */
final class Call<C extends ResourceTransaction> {

  private static final AtomicLong IDS = new AtomicLong();

  final Engine engine;
  final TransactionResource<C> resource;
  final TxOptions options;
  final String name;
  final boolean manual;
  final long start;
  final boolean hasDeadline;
  final long deadline;
  /** The outermost call on the thread: its retry budget bounds the retries of every call inside it. */
  private final Call<?> root;
  private int retriesLeft;
  private long id;
  /** What is measured of this call, or null when nothing observes it. */
  final @Nullable CallStats stats;
  /** Retried failed attempts by failure kind (ordinal), allocated at the first retry. */
  private int @Nullable [] retries;
  /** Set when the commit's reply was lost and the resolver established that it committed. */
  boolean resolved;
  /** Time the attempts waited at the gate. */
  private long queuedNanos;
  /** The gate's limit and queue when the last attempt was let in. */
  private int limitSeen;
  private int queueSeen;

  Call(Engine engine, TransactionResource<C> resource, TxOptions options, @Nullable Call<?> enclosing,
      boolean manual) {
    this.engine = engine;
    this.resource = resource;
    this.options = options;
    this.name = options.name();
    this.manual = manual;
    this.start = engine.ticker.read();
    Duration timeout = options.timeout();
    this.hasDeadline = timeout != null;
    this.deadline = timeout != null ? start + Durations.nanos(timeout) : 0L;
    this.root = enclosing == null ? this : enclosing.root;
    this.retriesLeft = options.retry().maxAttempts() - 1;
    this.stats = engine.newCallStats();
  }

  /** @return the call's id, taken when first asked for */
  long id() {
    if (id == 0) {
      id = IDS.incrementAndGet();
    }
    return id;
  }

  Scope<C> outermostScope(Attempt<C> attempt) {
    return new Scope<>(attempt, options, null, Scope.Kind.OUTERMOST, options.readOnly(), hasDeadline, deadline,
        false);
  }

  /**
   * Runs the attempts until one succeeds or the retry decision gives up.
   *
   * @return the body's result
   * @throws X what the last attempt's body threw
   */
  <T, X extends Exception> T run(AttemptBody<C, T, X> body) throws X {
    RetryPolicy policy = options.retry();
    int escalateAfter = policy.escalateAfter();
    boolean escalation = escalateAfter > 0 && policy.maxAttempts() > escalateAfter;
    // contention control limits the transactions that have a name of their own: the default name is shared by
    // unrelated transactions
    boolean limited = policy.contentionControl() && !name.equals(TxOptions.DEFAULT_NAME);
    // only the thread's outermost transaction (of any engine) passes a gate: one inside another could wait for
    // the slot its own enclosing attempt holds
    Gate gate = (escalation || limited) && ThreadFrames.isEmpty() ? Limiter.PROCESS.gate(name) : null;
    List<Throwable> earlier = null;
    for (int n = 1; ; n++) {
      Attempt<C> a = new Attempt<>(this, n);
      boolean escalated = escalation && n > escalateAfter;
      long entered = 0L;
      if (gate != null) {
        long waited;
        try {
          waited = gate.enter(limited, escalated, engine.ticker, hasDeadline, deadline);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw notLetIn(a, earlier, new dev.txkit.TransactionInterruptedException("Transaction '" + name
              + "' was interrupted while it waited to begin (attempt " + n + ", queued by contention control); "
              + "nothing was written", last(earlier)), Classification.UNRECOGNISED,
              "the thread was interrupted while it waited to begin");
        }
        if (waited == Gate.TIMED_OUT) {
          throw notLetIn(a, earlier, new TransactionTimeoutException("Transaction '" + name + "' ran past its "
              + "timeout of " + timeoutMillis() + " ms while it waited to begin (attempt " + n + ", queued by "
              + "contention control behind " + gate.running() + " running and " + gate.waiting() + " waiting "
              + "attempts of that name); nothing was written. Raise the timeout or make the transaction shorter",
              last(earlier)), Attempt.TIMEOUT, "the deadline passed while it waited to begin");
        }
        queuedNanos += waited;
        limitSeen = gate.limit();
        queueSeen = gate.waiting();
        // the attempt's duration feeds only the limit's maths
        entered = limited ? engine.ticker.read() : 0L;
      }
      T result;
      try {
        result = a.run(body);
      } finally {
        if (gate != null) {
          Attempt.Failure af = a.failure;
          boolean conflict = af != null && !af.unknownOutcome() && conflict(af.classification().kind());
          int changed = gate.leave(limited, escalated, conflict, engine.ticker, entered);
          if (changed >= 0) {
            engine.listeners.concurrencyLimit(name, changed, gate.waiting());
          }
        }
      }
      Attempt.Failure f = a.failure;
      if (f == null) {
        // hooks run after the gate is left: slow work in them must not hold other attempts back
        complete(a, Objects.requireNonNull(a.status), null);
        // the callback's own value: null when it returned null (T may be a nullable type)
        return Nulls.castToNonNull(result);
      }
      Throwable failure = f.failure();
      Classification cls = f.classification();
      boolean deadlinePassed = hasDeadline && !f.unknownOutcome()
          && (cls.kind() == FailureKind.QUERY_TIMEOUT || cls.equals(Attempt.TIMEOUT)
          || engine.ticker.read() - deadline >= 0);
      if (!f.unknownOutcome()) {
        engine.listeners.rollback(name, n, failure);
      }
      RetryDecision d = RetryDecision.decide(new RetryDecision.Failed(cls, f.unknownOutcome(), deadlinePassed, n,
          engine.ticker.read(), start, hasDeadline, deadline, timeoutMillis(), options.idempotent(),
          root.retriesLeft, root.name), policy, engine.random);
      if (d.timedOut() && !f.unknownOutcome()) {
        if (!(failure instanceof TransactionTimeoutException)) {
          failure = timeoutException(n, failure);
        }
        cls = Attempt.TIMEOUT;
      }
      String reason = d.reason();
      boolean gaveUp = d.timedOut() || (!f.unknownOutcome() && policy.retries(cls.kind()));
      if (d.retry()) {
        root.retriesLeft--;
        retried(cls.kind());
        engine.listeners.retry(new RetryEvent(name, n, failure, cls, d.delay()), policy.onRetry());
        earlier = add(earlier, failure);
        Object jfrRetry = Jfr.recording ? Jfr.beginRetry() : null;
        try {
          engine.sleeper.sleep(d.delay());
          continue;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          reason = "the thread was interrupted while waiting to retry";
          earlier.remove(earlier.size() - 1);
          gaveUp = true;
        } finally {
          if (jfrRetry != null) {
            Jfr.commitRetry(jfrRetry, name, n, failure, cls, d.delay());
          }
        }
      }
      if (earlier != null) {
        for (Throwable e : earlier) {
          if (e != failure) {
            failure.addSuppressed(e);
          }
        }
      }
      engine.listeners.giveUp(new GiveUpEvent(name, n, failure, cls, Objects.requireNonNull(reason)),
          policy.onGiveUp());
      if (f.unknownOutcome() || gaveUp) {
        // abnormal: the caller cannot know what happened, or txkit stopped retrying a transient failure
        engine.warnings.accept("[" + name + "] gave up after " + n + (n == 1 ? " attempt" : " attempts") + ": "
            + cls.kind() + SqlCodes.describe(failure) + "; " + reason, null);
      }
      complete(a, f.unknownOutcome() ? CompletionStatus.UNKNOWN : CompletionStatus.ROLLED_BACK,
          f.unknownOutcome() ? Outcome.UNKNOWN : gaveUp ? Outcome.GAVE_UP : Outcome.ROLLED_BACK);
      throw Call.<RuntimeException>sneakyThrow(failure);
    }
  }

  private static boolean conflict(FailureKind kind) {
    return kind == FailureKind.SERIALIZATION_FAILURE || kind == FailureKind.DEADLOCK;
  }

  private static @Nullable Throwable last(@Nullable List<Throwable> earlier) {
    return earlier == null || earlier.isEmpty() ? null : earlier.get(earlier.size() - 1);
  }

  /**
   * Gives up on an attempt that was never let in: reports it as given up, and returns what to throw.
   */
  private RuntimeException notLetIn(Attempt<C> a, @Nullable List<Throwable> earlier, RuntimeException failure,
      Classification classification, String reason) {
    if (earlier != null) {
      for (Throwable e : earlier) {
        if (e != failure.getCause()) {
          failure.addSuppressed(e);
        }
      }
    }
    engine.listeners.giveUp(new GiveUpEvent(name, a.number, failure, classification, reason),
        options.retry().onGiveUp());
    engine.warnings.accept("[" + name + "] gave up before attempt " + a.number + ": " + reason, null);
    complete(a, CompletionStatus.ROLLED_BACK, Outcome.GAVE_UP);
    return failure;
  }

  /**
   * Begins a manual transaction: one attempt, whose end the user calls.
   *
   * @return its scope
   */
  ManualScope<C> beginManual() {
    Attempt<C> a = new Attempt<>(this, 1);
    engine.listeners.begin(name, 1);
    ManualTransactionScope<C> scope = new ManualTransactionScope<>(a, this);
    if (!a.begin(scope)) {
      ThreadFrames.pop(scope);
      Attempt.Failure f = Objects.requireNonNull(a.failure);
      engine.listeners.rollback(name, 1, f.failure());
      complete(a, CompletionStatus.ROLLED_BACK, Outcome.ROLLED_BACK);
      throw sneakyThrow(f.failure());
    }
    return scope;
  }

  /**
   * Ends a manual transaction after its commit or rollback step: releases the resource, runs the hooks, reports
   * completion, and throws what the step failed with.
   */
  void endManual(Attempt<C> a, Scope<C> scope) {
    a.close();
    ThreadFrames.pop(scope);
    long open = engine.ticker.read() - start;
    if (engine.leakThresholdNanos != 0 && open - engine.leakThresholdNanos >= 0) {
      engine.warnings.accept("[" + name + "] manual transaction was open for " + open / 1_000_000L + " ms, longer "
          + "than the leak detection threshold of " + engine.leakThresholdNanos / 1_000_000L + " ms", null);
    }
    Attempt.Failure f = a.failure;
    if (f != null) {
      complete(a, f.unknownOutcome() ? CompletionStatus.UNKNOWN : CompletionStatus.ROLLED_BACK,
          f.unknownOutcome() ? Outcome.UNKNOWN : Outcome.ROLLED_BACK);
      throw sneakyThrow(f.failure());
    }
    complete(a, Objects.requireNonNull(a.status), null);
  }

  /**
   * Runs the hooks and reports completion; an Error from a hook, then an unexpected rollback, is thrown last.
   *
   * @param outcome how it ended, or null to take it from the status (a call that did not fail)
   */
  private void complete(Attempt<C> a, CompletionStatus status, @Nullable Outcome outcome) {
    Error error = a.runHooks(status);
    CallStats s = stats;
    Object event = s == null ? null : s.jfrEvent;
    // the event ends here; below its threshold (most calls) it is dropped before any statistics are built
    boolean record = event != null && Jfr.endTransaction(event);
    if (!engine.listeners.isEmpty() || record) {
      Outcome o = outcome != null ? outcome : status == CompletionStatus.COMMITTED
          ? (resolved ? Outcome.RESOLVED : Outcome.COMMITTED) : Outcome.ROLLED_BACK;
      CallStats m = s != null && s.clock ? s : null;
      TransactionStats ts = new TransactionStats(name, a.number, status, engine.ticker.read() - start, o,
          options.isolation(), options.readOnly(), manual, retriesByKind(), m != null ? m.statements : 0,
          m != null ? m.databaseNanos : 0L, m != null ? m.idleNanos : 0L, m != null ? m.connectionNanos : 0L,
          m != null, limitSeen, queueSeen, queuedNanos);
      if (record && event != null) {
        Jfr.commitTransaction(event, ts);
      }
      if (!engine.listeners.isEmpty()) {
        engine.listeners.complete(ts);
      }
    }
    if (error != null) {
      throw error;
    }
    if (a.unexpectedRollback != null && a.failure == null) {
      throw a.unexpectedRollback;
    }
  }

  private void retried(FailureKind kind) {
    int[] r = retries;
    if (r == null) {
      r = new int[FailureKind.values().length];
      retries = r;
    }
    r[kind.ordinal()]++;
  }

  private Map<FailureKind, Integer> retriesByKind() {
    int[] r = retries;
    if (r == null) {
      return Map.of();
    }
    Map<FailureKind, Integer> m = new EnumMap<>(FailureKind.class);
    FailureKind[] kinds = FailureKind.values();
    for (int i = 0; i < r.length; i++) {
      if (r[i] != 0) {
        m.put(kinds[i], r[i]);
      }
    }
    return m;
  }

  private long timeoutMillis() {
    Duration t = options.timeout();
    return t == null ? 0L : Durations.nanos(t) / 1_000_000L;
  }

  TransactionTimeoutException timeoutException(int attempt, @Nullable Throwable cause) {
    return new TransactionTimeoutException("Transaction '" + name + "' ran past its timeout of " + timeoutMillis()
        + " ms (attempt " + attempt + ") and was rolled back; raise the timeout or make the transaction shorter",
        cause);
  }

  private static List<Throwable> add(@Nullable List<Throwable> list, Throwable t) {
    List<Throwable> l = list == null ? new ArrayList<>(4) : list;
    l.add(t);
    return l;
  }

  /** Throws a checked exception the caller's callback declared, unchanged (the type parameter is the point). */
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  static <E extends Throwable> E sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }
}
