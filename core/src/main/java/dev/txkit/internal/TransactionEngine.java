package dev.txkit.internal;

import dev.txkit.Classification;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.CompletionStatus;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.GiveUpEvent;
import dev.txkit.RetryEvent;
import dev.txkit.RetryPolicy;
import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The attempt loop: begin, run the body, commit or roll back, close; classify failures, retry with backoff,
 * enforce the deadline, handle commits of unknown outcome, run completion hooks, notify listeners.
 *
 * <p>Immutable and thread-safe.
 */
public final class TransactionEngine {

  private static final System.Logger LOG = System.getLogger(TransactionEngine.class.getName());
  private static final Classification TIMEOUT =
      new Classification(FailureKind.QUERY_TIMEOUT, FailureScope.TRANSACTION);
  private static final Classification UNKNOWN_OUTCOME =
      new Classification(FailureKind.OUTCOME_UNKNOWN, FailureScope.TRANSACTION);

  private final Sleeper sleeper;
  private final Ticker ticker;
  private final DoubleSupplier random;
  private final TransactionListener[] listeners;
  /** Per transaction name: fresh attempts share the lane, escalated attempts take it alone. */
  private final ConcurrentHashMap<String, ReentrantReadWriteLock> lanes = new ConcurrentHashMap<>();
  /** How many calls of this engine run on the thread: only the outermost takes a lane. */
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

  /**
   * @param sleeper waits between attempts
   * @param ticker reads time for deadlines
   * @param random numbers in [0, 1) for jitter; null for {@code ThreadLocalRandom}
   * @param listeners notified of every event
   */
  public TransactionEngine(Sleeper sleeper, Ticker ticker, @Nullable DoubleSupplier random,
      List<TransactionListener> listeners) {
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = random != null ? random : () -> ThreadLocalRandom.current().nextDouble();
    this.listeners = listeners.toArray(new TransactionListener[0]);
  }

  /** @return the ticker */
  public Ticker ticker() {
    return ticker;
  }

  /** @return the listeners, for bindings that report events the engine does not see */
  public TransactionListener[] listeners() {
    return listeners.clone();
  }

  /**
   * Runs a transaction with retries.
   *
   * @param resource the resource
   * @param options the options
   * @param body the work of each attempt
   * @param <A> attempt type
   * @param <T> result type
   * @param <X> the callback's checked exception
   * @return the body's result
   * @throws X what the body threw in the last attempt
   */
  public <A extends ResourceAttempt, T, X extends Exception> T execute(TransactionResource<A> resource,
      TxOptions options, AttemptBody<A, T, X> body) throws X {
    int[] calls = depth.get();
    calls[0]++;
    try {
      return run(resource, options, body, calls[0] == 1);
    } finally {
      calls[0]--;
    }
  }

  private <A extends ResourceAttempt, T, X extends Exception> T run(TransactionResource<A> resource,
      TxOptions options, AttemptBody<A, T, X> body, boolean outermost) throws X {
    RetryPolicy policy = options.retry();
    int escalateAfter = policy.escalateAfter();
    ReentrantReadWriteLock lane = outermost && escalateAfter > 0 && policy.maxAttempts() > escalateAfter
        ? lanes.computeIfAbsent(options.name(), n -> new ReentrantReadWriteLock(true)) : null;
    String name = options.name();
    long start = ticker.read();
    Duration timeout = options.timeout();
    boolean hasDeadline = timeout != null;
    long deadline = hasDeadline ? start + timeout.toNanos() : 0L;
    List<Throwable> earlier = null;
    for (int attempt = 1; ; attempt++) {
      AttemptContext ctx = new AttemptContext(options, attempt, hasDeadline, deadline);
      AttemptFailed failed = null;
      T result = null;
      // taken before begin, when this thread holds no database locks, so waiting for it cannot deadlock
      Lock lock = lane == null ? null : attempt > escalateAfter ? lane.writeLock() : lane.readLock();
      if (lock != null) {
        lock.lock();
      }
      try {
        result = attemptOnce(resource, options, body, ctx);
      } catch (AttemptFailed f) {
        failed = f;
      } finally {
        if (lock != null) {
          lock.unlock();
        }
      }
      if (failed == null) {
        // hooks run after the lane is released: slow work in them must not hold escalated attempts back
        CompletionStatus status = ctx.isRollbackOnly() ? CompletionStatus.ROLLED_BACK : CompletionStatus.COMMITTED;
        runHooks(name, ctx.hooks(), status);
        complete(name, attempt, status, start);
        return result;
      }
      Throwable failure = failed.failure;
      Classification cls = failed.classification;
      // a commit of unknown outcome stays unknown: a timeout exception would tell the caller it was rolled back
      if (hasDeadline && !failed.unknownOutcome && !(failure instanceof TransactionTimeoutException)
          && (cls.kind() == FailureKind.QUERY_TIMEOUT || ticker.read() - deadline >= 0)) {
        failure = timeoutException(options, attempt, failure);
        cls = TIMEOUT;
      }
      if (!failed.unknownOutcome) {
        Throwable rolledBackBy = failed.failure;
        int failedAttempt = attempt;
        for (TransactionListener l : listeners) {
          safely(() -> l.onRollback(name, failedAttempt, rolledBackBy));
        }
      }
      String noRetry = whyNotRetry(options, policy, cls, failed.unknownOutcome, attempt);
      Duration delay = Duration.ZERO;
      if (noRetry == null) {
        delay = policy.delayAfter(attempt, random.getAsDouble());
        long wakeUp = ticker.read() + delay.toNanos();
        Duration maxDuration = policy.maxDuration();
        if (hasDeadline && wakeUp - deadline >= 0) {
          if (!failed.unknownOutcome && !(failure instanceof TransactionTimeoutException)) {
            failure = timeoutException(options, attempt, failure);
            cls = TIMEOUT;
          }
          noRetry = "the transaction's timeout of " + timeout.toMillis() + " ms leaves no time for another attempt";
        } else if (maxDuration != null && wakeUp - start > maxDuration.toNanos()) {
          noRetry = "the retry policy's maximum duration of " + maxDuration.toMillis() + " ms would be exceeded";
        }
      }
      if (noRetry == null) {
        RetryEvent event = new RetryEvent(name, attempt, failure, cls, delay);
        Consumer<RetryEvent> onRetry = policy.onRetry();
        if (onRetry != null) {
          safely(() -> onRetry.accept(event));
        }
        for (TransactionListener l : listeners) {
          safely(() -> l.onRetry(event));
        }
        earlier = add(earlier, failure);
        try {
          sleeper.sleep(delay);
          continue;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          noRetry = "the thread was interrupted while waiting to retry";
          earlier.remove(earlier.size() - 1);
        }
      }
      // give up
      if (earlier != null) {
        for (Throwable e : earlier) {
          if (e != failure) {
            failure.addSuppressed(e);
          }
        }
      }
      GiveUpEvent event = new GiveUpEvent(name, attempt, failure, cls, noRetry);
      Consumer<GiveUpEvent> onGiveUp = policy.onGiveUp();
      if (onGiveUp != null) {
        safely(() -> onGiveUp.accept(event));
      }
      for (TransactionListener l : listeners) {
        safely(() -> l.onGiveUp(event));
      }
      CompletionStatus status = failed.unknownOutcome ? CompletionStatus.UNKNOWN : CompletionStatus.ROLLED_BACK;
      runHooks(name, ctx.hooks(), status);
      complete(name, attempt, status, start);
      throw TransactionEngine.<RuntimeException>sneakyThrow(failure);
    }
  }

  /** One attempt: begin, body, commit or roll back, close. Completion hooks are left to the caller. */
  private <A extends ResourceAttempt, T, X extends Exception> T attemptOnce(TransactionResource<A> resource,
      TxOptions options, AttemptBody<A, T, X> body, AttemptContext ctx) throws AttemptFailed {
    String name = options.name();
    int attempt = ctx.attempt();
    for (TransactionListener l : listeners) {
      safely(() -> l.onBegin(name, attempt));
    }
    A a;
    try {
      a = resource.begin(options, ctx);
    } catch (Throwable t) {
      ctx.end();
      Classification c = resource.classify(t);
      throw new AttemptFailed(unchecked("Could not begin the transaction", t, c), c, false);
    }
    T result;
    try {
      try {
        result = body.run(a, ctx);
      } catch (Throwable t) {
        rollbackQuietly(a, t);
        Classification c = ctx.isDoomed() ? ctx.doomClassification() : resource.classify(t);
        throw new AttemptFailed(t, c, false);
      }
      if (ctx.isDoomed()) {
        // user code caught the transaction-scope failure and returned normally: the server already rolled the
        // work back, so this attempt must never commit
        Throwable cause = ctx.doomCause();
        rollbackQuietly(a, cause);
        throw new AttemptFailed(unchecked("The transaction failed and was rolled back", cause,
            ctx.doomClassification()), ctx.doomClassification(), false);
      }
      if (ctx.hasDeadline() && ticker.read() - ctx.deadlineNanos() >= 0) {
        TransactionTimeoutException e = timeoutException(options, attempt, null);
        rollbackQuietly(a, e);
        throw new AttemptFailed(e, TIMEOUT, false);
      }
      if (ctx.isRollbackOnly()) {
        try {
          a.rollback();
        } catch (Throwable t) {
          Classification c = resource.classify(t);
          throw new AttemptFailed(unchecked("Rollback of a rollback-only transaction failed", t, c), c, false);
        }
        for (TransactionListener l : listeners) {
          safely(() -> l.onRollback(name, attempt, null));
        }
      } else {
        try {
          a.commit();
        } catch (Throwable t) {
          Classification c = resource.classify(t);
          if (c.kind() != FailureKind.CONNECTION_LOST && c.kind() != FailureKind.OUTCOME_UNKNOWN) {
            rollbackQuietly(a, t);
            throw new AttemptFailed(unchecked("Commit failed", t, c), c, false);
          }
          CommitResolution r;
          try {
            r = a.resolveCommitOutcome();
          } catch (RuntimeException e) {
            t.addSuppressed(e);
            r = CommitResolution.UNKNOWN;
          }
          if (r == CommitResolution.NOT_COMMITTED) {
            Classification lost = new Classification(FailureKind.CONNECTION_LOST, FailureScope.TRANSACTION);
            throw new AttemptFailed(unchecked("Commit failed and the database confirms the transaction did not "
                + "commit", t, lost), lost, false);
          }
          if (r == CommitResolution.UNKNOWN) {
            for (TransactionListener l : listeners) {
              safely(() -> l.onOutcomeUnknown(name, attempt, t));
            }
            throw new AttemptFailed(new CommitOutcomeUnknownException("The connection failed during COMMIT of '"
                + name + "' (attempt " + attempt + "): the transaction may or may not have committed. txkit does "
                + "not retry it because a retry could apply it twice; check the data, or declare the transaction "
                + "idempotent(true) if running it twice is harmless", t), UNKNOWN_OUTCOME, true);
          }
          // COMMITTED: the resolver established that the commit happened
        }
        for (TransactionListener l : listeners) {
          safely(() -> l.onCommit(name, attempt));
        }
      }
    } finally {
      ctx.end();
      a.close();
    }
    return result;
  }

  private void complete(String name, int attempts, CompletionStatus status, long start) {
    if (listeners.length == 0) {
      return;
    }
    TransactionStats stats = new TransactionStats(name, attempts, status, ticker.read() - start);
    for (TransactionListener l : listeners) {
      safely(() -> l.onComplete(stats));
    }
  }

  private @Nullable String whyNotRetry(TxOptions options, RetryPolicy policy, Classification cls,
      boolean unknownOutcome, int attempt) {
    if (unknownOutcome) {
      if (!options.idempotent()) {
        return "the commit's outcome is unknown and the transaction is not declared idempotent";
      }
      if (!policy.retries(FailureKind.CONNECTION_LOST)) {
        return "the retry policy does not retry lost connections";
      }
    } else if (!policy.retries(cls.kind())) {
      return "the retry policy does not retry " + cls.kind();
    }
    if (attempt >= policy.maxAttempts()) {
      return "all " + policy.maxAttempts() + " attempts of the retry policy were used";
    }
    return null;
  }

  /**
   * Runs completion hooks the way the loop does, for bindings that end transactions themselves (the manual form).
   *
   * @param name the transaction's name
   * @param hooks the hooks
   * @param status how the transaction ended
   */
  public void runHooks(String name, Hooks hooks, CompletionStatus status) {
    if (hooks.isEmpty()) {
      return;
    }
    if (status == CompletionStatus.COMMITTED) {
      for (Runnable r : hooks.afterCommitHooks()) {
        runHook(name, r);
      }
    } else if (status == CompletionStatus.ROLLED_BACK) {
      for (Runnable r : hooks.afterRollbackHooks()) {
        runHook(name, r);
      }
    }
    for (Consumer<CompletionStatus> c : hooks.afterCompletionHooks()) {
      runHook(name, () -> c.accept(status));
    }
  }

  private void runHook(String name, Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "[" + name + "] a completion hook failed; the transaction's outcome "
          + "stands", e);
      for (TransactionListener l : listeners) {
        safely(() -> l.onHookFailure(name, e));
      }
    }
  }

  private static void rollbackQuietly(ResourceAttempt a, @Nullable Throwable primary) {
    try {
      a.rollback();
    } catch (Throwable t) {
      if (primary != null && primary != t) {
        primary.addSuppressed(t);
      }
    }
  }

  private static TransactionTimeoutException timeoutException(TxOptions options, int attempt,
      @Nullable Throwable cause) {
    return new TransactionTimeoutException("Transaction '" + options.name() + "' ran past its timeout of "
        + options.timeout().toMillis() + " ms (attempt " + attempt + ") and was rolled back; raise the timeout or "
        + "make the transaction shorter", cause);
  }

  private static Throwable unchecked(String what, Throwable t, Classification c) {
    if (t instanceof SQLException) {
      return DatabaseFailureException.of(what, (SQLException) t, c);
    }
    return t;
  }

  private static List<Throwable> add(@Nullable List<Throwable> list, Throwable t) {
    List<Throwable> l = list == null ? new ArrayList<>(4) : list;
    l.add(t);
    return l;
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a transaction listener or retry policy callback threw; ignored", e);
    }
  }

  @SuppressWarnings("unchecked")
  static <E extends Throwable> E sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }

  /** The failure of one attempt, carried to the loop without a stack trace. */
  private static final class AttemptFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Throwable failure;
    final transient Classification classification;
    final boolean unknownOutcome;

    AttemptFailed(Throwable failure, Classification classification, boolean unknownOutcome) {
      super(null, null, false, false);
      this.failure = failure;
      this.classification = classification;
      this.unknownOutcome = unknownOutcome;
    }
  }
}
