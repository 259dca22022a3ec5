package dev.txkit.internal;

import dev.txkit.PitfallMode;
import dev.txkit.Pitfalls;
import dev.txkit.Propagation;
import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionWarning;
import dev.txkit.TxOptions;
import dev.txkit.spi.AttemptBody;
import dev.txkit.spi.ManualScope;
import dev.txkit.spi.ResourceTransaction;
import dev.txkit.spi.TransactionResource;
import dev.txkit.spi.TransactionScope;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Where every call begins: finds the transaction of this engine active on the thread and decides, by the
 * call's propagation, whether it nests ({@link Nesting}) or runs as a transaction of its own ({@link Call}).
 * Holds what all calls of the engine share. Immutable and thread-safe.
 */
public final class Engine {

  private static final System.Logger LOG = System.getLogger("dev.txkit.engine");

  final Sleeper sleeper;
  final Ticker ticker;
  final DoubleSupplier random;
  final Listeners listeners;
  final BiConsumer<String, Throwable> warnings;
  final long leakThresholdNanos;
  final Pitfalls pitfalls;
  /** Whether every call is measured (a listener wants statistics, or a pitfall needs the clock). */
  final boolean measureAlways;
  /** Whether every call keeps a {@link CallStats} (measured, or a pitfall is watched for). */
  final boolean observeAlways;
  private final List<String> ownFrames;

  /**
   * @param sleeper waits between attempts
   * @param ticker reads time
   * @param random jitter source, or null for {@code ThreadLocalRandom}
   * @param listeners the listeners
   * @param warnings where abnormal events go, or null for {@code System.Logger}
   * @param leakThreshold how long a manual transaction may stay open before it counts as leaked; zero for never
   * @param pitfalls the pitfalls watched for
   * @param ownFrames names of the binding's classes (or package prefixes, ending in a dot) whose stack frames are
   *     skipped to find where a transaction began
   */
  public Engine(Sleeper sleeper, Ticker ticker, @Nullable DoubleSupplier random, List<TransactionListener> listeners,
      @Nullable BiConsumer<String, Throwable> warnings, Duration leakThreshold, Pitfalls pitfalls,
      List<String> ownFrames) {
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.random = random != null ? random : () -> ThreadLocalRandom.current().nextDouble();
    this.warnings = warnings != null ? warnings
        : (message, failure) -> LOG.log(System.Logger.Level.WARNING, message, failure);
    this.listeners = new Listeners(listeners.toArray(new TransactionListener[0]), this.warnings);
    this.leakThresholdNanos = leakThreshold.isZero() ? 0L : Durations.nanos(leakThreshold);
    this.pitfalls = Objects.requireNonNull(pitfalls, "pitfalls");
    this.measureAlways = this.listeners.wantStatistics() || pitfalls.needsClock();
    this.observeAlways = measureAlways || pitfalls.any();
    this.ownFrames = List.copyOf(ownFrames);
  }

  /**
   * The statistics a new call keeps, or null when nothing needs them: decided once per call, so that an
   * unobserved call reads no clock and allocates nothing for them.
   */
  @Nullable CallStats newCallStats() {
    boolean jfr = Jfr.recording;
    if (!observeAlways && !jfr) {
      return null;
    }
    // a recording that leaves txkit's transaction event disabled measures nothing either
    Object event = jfr ? Jfr.beginTransaction() : null;
    if (!observeAlways && event == null) {
      return null;
    }
    CallStats s = new CallStats(measureAlways || event != null);
    if (pitfalls.any()) {
      s.begunAt = callerFrame();
    }
    s.jfrEvent = event;
    return s;
  }

  /** The first stack frame that is neither the engine's nor the binding's: where the application called in. */
  private @Nullable StackTraceElement callerFrame() {
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> !isOwnFrame(f.getClassName()))
        .findFirst()
        .map(StackWalker.StackFrame::toStackTraceElement)
        .orElse(null));
  }

  private boolean isOwnFrame(String className) {
    if (className.startsWith("dev.txkit.internal.") || className.startsWith("dev.txkit.spi.")) {
      return true;
    }
    for (String own : ownFrames) {
      boolean nestedOrSame = className.equals(own)
          || (className.startsWith(own) && className.charAt(own.length()) == '$');
      if (own.endsWith(".") ? className.startsWith(own) : nestedOrSame) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reports a pitfall of a call (once per call and kind), and throws in {@link PitfallMode#FAIL}.
   *
   * @throws dev.txkit.PitfallException in fail mode
   */
  void pitfall(PitfallMode mode, TransactionWarning.Kind kind, Call<?> call, int attempt, String what) {
    CallStats s = call.stats;
    StackTraceElement at = s == null ? null : s.begunAt;
    TransactionWarning w = new TransactionWarning(kind, call.name, attempt, "[" + call.name + "] " + what
        + (at == null ? "" : " (transaction '" + call.name + "' began at " + at + ")"), at);
    warn(w);
    if (mode == PitfallMode.FAIL) {
      throw new dev.txkit.PitfallException(w);
    }
  }

  /** Gives a warning to the listeners, the warning sink and JFR. */
  void warn(TransactionWarning w) {
    warnings.accept(w.message(), null);
    listeners.warning(w);
    if (Jfr.recording) {
      Jfr.warning(w);
    }
  }

  /** @return the ticker */
  public Ticker ticker() {
    return ticker;
  }

  /**
   * Runs a call: nested in the active transaction of this engine, or as a transaction of its own.
   *
   * @param resource the resource
   * @param options the call's options
   * @param body the work
   * @param <C> the resource's transaction type
   * @param <T> the result
   * @param <X> the work's checked exception
   * @return the result
   * @throws X what the work threw
   */
  public <C extends ResourceTransaction, T, X extends Exception> T execute(TransactionResource<C> resource,
      TxOptions options, AttemptBody<C, T, X> body) throws X {
    Scope<?> current = ThreadFrames.active(this);
    Propagation propagation = options.propagation();
    if (current != null) {
      checkNotLeaked(current, options);
      if (propagation != Propagation.REQUIRES_NEW) {
        return Nesting.run(typed(current, resource), options, body);
      }
    } else if (propagation == Propagation.MANDATORY) {
      throw new IllegalStateException("Transaction '" + options.name() + "' has propagation MANDATORY but no "
          + "transaction is active on this thread; call it from inside inTransaction(...)");
    }
    return new Call<>(this, resource, options, ThreadFrames.innermostCall(this), false).run(body);
  }

  /**
   * Begins a manual transaction.
   *
   * @param resource the resource
   * @param options its options
   * @param <C> the resource's transaction type
   * @return its scope
   */
  public <C extends ResourceTransaction> ManualScope<C> begin(TransactionResource<C> resource, TxOptions options) {
    Scope<?> current = ThreadFrames.active(this);
    if (current != null) {
      checkNotLeaked(current, options);
      throw new IllegalStateException("Cannot begin a manual transaction '" + options.name() + "' while '"
          + current.transactionName() + "' is active on this thread; use inTransaction(...) to nest");
    }
    return new Call<>(this, resource, options, null, true).beginManual();
  }

  /** @return the innermost active block of this engine on the calling thread, or null */
  public @Nullable TransactionScope<?> current() {
    return ThreadFrames.active(this);
  }

  /**
   * A manual transaction open longer than the leak threshold was most likely never closed: running the call inside
   * it would add its work to a transaction that never commits.
   */
  private void checkNotLeaked(Scope<?> current, TxOptions options) {
    Call<?> call = current.attempt.call;
    if (!call.manual || leakThresholdNanos == 0) {
      return;
    }
    long open = ticker.read() - call.start;
    if (open - leakThresholdNanos < 0) {
      return;
    }
    String message = "A manual transaction '" + call.name + "' has been open on thread '"
        + Thread.currentThread().getName() + "' for " + open / 1_000_000L + " ms, longer than the leak detection "
        + "threshold of " + leakThresholdNanos / 1_000_000L + " ms: it was most likely never closed. Transaction '"
        + options.name() + "' is refused instead of running inside it, where its work would never commit. Close "
        + "manual transactions with try-with-resources; raise the threshold with leakDetectionThreshold(...) if "
        + "it is meant to stay open this long";
    warnings.accept(message, null);
    throw new IllegalStateException(message);
  }

  @SuppressWarnings("unchecked")
  private static <C extends ResourceTransaction> Scope<C> typed(Scope<?> current, TransactionResource<C> resource) {
    if (current.attempt.call.resource != resource) {
      throw new IllegalStateException("A transaction of this engine on another resource is active on this thread");
    }
    return (Scope<C>) current;
  }
}
