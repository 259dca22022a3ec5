package dev.txkit.spi;

import dev.txkit.Pitfalls;
import dev.txkit.Propagation;
import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import dev.txkit.TxOptions;
import dev.txkit.internal.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The transaction lifecycle, in one place: propagation ({@link Propagation}), the attempt loop with backoff and
 * escalation, the deadline, doomed attempts, rollback-only, savepoints of nested blocks, unknown commit outcomes,
 * completion hooks and listener events, for the callback form ({@link #execute}) and the manual form
 * ({@link #begin}) alike. A binding supplies the resource; see {@code docs/architecture.md}.
 *
 * <p>Calls of one engine on one thread nest: a call made while a transaction of this engine is active on the
 * thread joins it as its propagation says. Immutable and thread-safe.
 */
public final class TransactionEngine {

  private final Engine engine;

  private TransactionEngine(Builder b) {
    this.engine = new Engine(b.sleeper, b.ticker, b.random, b.listeners, b.warnings, b.leakThreshold, b.pitfalls,
        b.ownFrames);
  }

  /**
   * An engine with default warnings (through {@code System.Logger}) and leak detection.
   *
   * @param sleeper waits between attempts
   * @param ticker reads time for deadlines
   * @param random numbers in [0, 1) for jitter; null for {@code ThreadLocalRandom}
   * @param listeners notified of every event
   */
  public TransactionEngine(Sleeper sleeper, Ticker ticker, @Nullable DoubleSupplier random,
      List<TransactionListener> listeners) {
    this(builder().sleeper(sleeper).ticker(ticker).random(random).listeners(listeners));
  }

  /** @return a new builder with the defaults: system sleeper and ticker, no listeners, 60 s leak threshold */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs a transaction, or a nested block of the transaction active on this thread, as the options'
   * propagation says. The outermost call retries as the retry policy says; each attempt begins on the resource.
   *
   * @param resource the resource
   * @param options the options
   * @param body the work
   * @param <C> the resource's transaction type
   * @param <T> the result
   * @param <X> the body's checked exception
   * @return the body's result, after the commit (or after the nested block's savepoint was released)
   * @throws X what the body threw (after rollback, or after its savepoint was rolled back)
   * @throws IllegalStateException for {@link Propagation#MANDATORY} outside a transaction, a nested call whose
   *     isolation or read-only setting conflicts with the enclosing transaction, or a leaked manual transaction
   *     found on the thread
   */
  public <C extends ResourceTransaction, T, X extends Exception> T execute(TransactionResource<C> resource,
      TxOptions options, AttemptBody<C, T, X> body) throws X {
    return engine.execute(resource, options, body);
  }

  /**
   * Begins a transaction controlled by hand (one attempt, never retried).
   *
   * @param resource the resource
   * @param options the options
   * @param <C> the resource's transaction type
   * @return the transaction's scope
   * @throws IllegalStateException if a transaction of this engine is active on this thread
   * @throws dev.txkit.DatabaseFailureException if it could not begin
   */
  public <C extends ResourceTransaction> ManualScope<C> begin(TransactionResource<C> resource, TxOptions options) {
    return engine.begin(resource, options);
  }

  /**
   * The innermost block of a transaction of this engine active on the calling thread.
   *
   * @return the block, or null outside any
   */
  public @Nullable TransactionScope<?> current() {
    return engine.current();
  }

  /** @return the ticker */
  public Ticker ticker() {
    return engine.ticker();
  }

  /** Builds a {@link TransactionEngine}. Not thread-safe. */
  public static final class Builder {
    private Sleeper sleeper = Sleeper.system();
    private Ticker ticker = Ticker.system();
    private @Nullable DoubleSupplier random;
    private final List<TransactionListener> listeners = new ArrayList<>();
    private @Nullable BiConsumer<String, Throwable> warnings;
    private Duration leakThreshold = Duration.ofSeconds(60);
    private Pitfalls pitfalls = Pitfalls.off();
    private final List<String> ownFrames = new ArrayList<>();

    private Builder() {
    }

    /**
     * @param pitfalls the pitfalls to watch for; default {@link Pitfalls#off()}
     * @return this builder
     */
    public Builder pitfalls(Pitfalls pitfalls) {
      this.pitfalls = Objects.requireNonNull(pitfalls, "pitfalls");
      return this;
    }

    /**
     * Names the binding's classes whose stack frames are not where a transaction began: the frame reported with a
     * pitfall is the first one that is neither the engine's nor one of these.
     *
     * @param classNames class names (their nested classes included), or package prefixes ending in a dot
     * @return this builder
     */
    public Builder ownFrames(String... classNames) {
      for (String n : classNames) {
        ownFrames.add(Objects.requireNonNull(n, "class name"));
      }
      return this;
    }

    /**
     * @param sleeper waits between attempts
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * @param ticker reads time for deadlines and durations
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * @param random numbers in [0, 1) for jitter, or null for {@code ThreadLocalRandom}
     * @return this builder
     */
    public Builder random(@Nullable DoubleSupplier random) {
      this.random = random;
      return this;
    }

    /**
     * @param listeners notified of every event, in order
     * @return this builder
     */
    public Builder listeners(List<TransactionListener> listeners) {
      for (TransactionListener l : listeners) {
        this.listeners.add(Objects.requireNonNull(l, "listener"));
      }
      return this;
    }

    /**
     * Where abnormal events go (a failing hook or listener, a leaked manual transaction): a message and the
     * failure, if any. Default: {@code System.Logger} at WARNING.
     *
     * @param warnings the sink
     * @return this builder
     */
    public Builder warnings(BiConsumer<String, @Nullable Throwable> warnings) {
      @SuppressWarnings("unchecked")
      BiConsumer<String, Throwable> w = (BiConsumer<String, Throwable>) (BiConsumer<?, ?>) warnings;
      this.warnings = Objects.requireNonNull(w, "warnings");
      return this;
    }

    /**
     * How long a manual transaction may stay open on its thread before txkit takes it for leaked (never closed):
     * a later txkit call on that thread then fails instead of running inside it, and a warning names it.
     *
     * @param threshold the threshold; {@code Duration.ZERO} turns leak detection off
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder leakThreshold(Duration threshold) {
      Objects.requireNonNull(threshold, "threshold");
      if (threshold.isNegative()) {
        throw new IllegalArgumentException("the leak threshold must not be negative, was " + threshold);
      }
      this.leakThreshold = threshold;
      return this;
    }

    /** @return the engine */
    public TransactionEngine build() {
      return new TransactionEngine(this);
    }
  }
}
