package dev.txkit;

import dev.txkit.internal.Durations;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Which failed attempts are retried, how often, and how long txkit waits in between.
 *
 * <p>Defaults ({@link #defaults()}): at most 10 attempts; exponential backoff from 5 ms doubling up to 1 s with
 * full jitter (each wait is uniformly random between zero and the exponential delay); no maximum duration;
 * retried kinds {@link FailureKind#SERIALIZATION_FAILURE}, {@link FailureKind#DEADLOCK} and
 * {@link FailureKind#CONNECTION_LOST} (a lost connection during {@code COMMIT} is never retried blindly; see
 * {@link TxOptions#idempotent()}). Lock timeouts are retried only when asked with {@link Builder#retryOn}. A
 * call that has failed 5 times runs its further attempts exclusively among the process's transactions of the
 * same name ({@link Builder#withEscalation(int)}), so that under sustained contention it still completes.
 * Contention control is on: the attempts of a named transaction that conflict with each other are limited to
 * an adaptive number running at once ({@link Builder#withContentionControl(boolean)}).
 *
 * <p>Immutable and thread-safe; build one with {@link #builder()}. (One file for the value and its builder, as
 * Failsafe's policies; most of its length is the Javadoc of their settings.)
 */
public final class RetryPolicy {

  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy NONE = builder().withMaxAttempts(1).build();

  private final int maxAttempts;
  private final Duration delay;
  private final Duration maxDelay;
  private final boolean jitter;
  private final @Nullable Duration maxDuration;
  private final Set<FailureKind> retryOn;
  private final @Nullable Consumer<RetryEvent> onRetry;
  private final @Nullable Consumer<GiveUpEvent> onGiveUp;
  private final int escalateAfter;
  private final boolean contentionControl;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.delay = b.delay;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.maxDuration = b.maxDuration;
    this.retryOn = Set.copyOf(b.retryOn);
    this.onRetry = b.onRetry;
    this.onGiveUp = b.onGiveUp;
    this.escalateAfter = b.escalateAfter;
    this.contentionControl = b.contentionControl;
  }

  /**
   * The default policy described in the class documentation.
   *
   * @return the default policy
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A policy that never retries: one attempt.
   *
   * @return the policy
   */
  public static RetryPolicy none() {
    return NONE;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this policy's settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.delay = delay;
    b.maxDelay = maxDelay;
    b.jitter = jitter;
    b.maxDuration = maxDuration;
    b.retryOn = retryOn.isEmpty() ? EnumSet.noneOf(FailureKind.class) : EnumSet.copyOf(retryOn);
    b.onRetry = onRetry;
    b.onGiveUp = onGiveUp;
    b.escalateAfter = escalateAfter;
    b.contentionControl = contentionControl;
    return b;
  }

  /** @return the most attempts, at least 1 */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** @return the delay before the second attempt, before jitter */
  public Duration delay() {
    return delay;
  }

  /** @return the cap of the exponential delay */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** @return whether full jitter is applied */
  public boolean jitter() {
    return jitter;
  }

  /** @return the longest time from the first attempt's start after which no retry starts, or null */
  public @Nullable Duration maxDuration() {
    return maxDuration;
  }

  /**
   * After how many failed attempts a call's next attempts run exclusively among this process's attempts of
   * transactions with the same name; 0 if never. See {@link Builder#withEscalation(int)}.
   *
   * @return the number of failures, 0 for no escalation
   */
  public int escalateAfter() {
    return escalateAfter;
  }

  /**
   * @return whether the attempts of a named transaction run under the adaptive concurrency limit (see
   *     {@link Builder#withContentionControl(boolean)})
   */
  public boolean contentionControl() {
    return contentionControl;
  }

  /** @return the failure kinds that are retried, unmodifiable */
  public Set<FailureKind> retryOn() {
    return retryOn;
  }

  /** @return the callback run before each retry, or null */
  public @Nullable Consumer<RetryEvent> onRetry() {
    return onRetry;
  }

  /** @return the callback run when txkit gives up, or null */
  public @Nullable Consumer<GiveUpEvent> onGiveUp() {
    return onGiveUp;
  }

  /**
   * Whether a failure of this kind is retried by this policy (attempt and time budgets aside).
   *
   * @param kind the failure kind
   * @return true if retried
   */
  public boolean retries(FailureKind kind) {
    return retryOn.contains(kind);
  }

  /**
   * The wait after the given number of failed attempts: {@code min(maxDelay, delay * 2^(failedAttempts-1))},
   * multiplied by {@code random} under full jitter. A pure function, so tests check it exactly.
   *
   * @param failedAttempts how many attempts have failed so far, at least 1
   * @param random a number in {@code [0, 1)}, normally from {@code ThreadLocalRandom}
   * @return the delay, never negative
   * @throws IllegalArgumentException if {@code failedAttempts < 1} or {@code random} is outside {@code [0, 1)}
   */
  public Duration delayAfter(int failedAttempts, double random) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts must be at least 1, was " + failedAttempts);
    }
    if (!(random >= 0.0 && random < 1.0)) {
      throw new IllegalArgumentException("random must be in [0, 1), was " + random);
    }
    long base = delay.toNanos();
    long cap = maxDelay.toNanos();
    long exp = base;
    for (int i = 1; i < failedAttempts && exp < cap; i++) {
      exp = exp > cap / 2 ? cap : exp * 2;
    }
    exp = Math.min(exp, cap);
    return Duration.ofNanos(jitter ? (long) (exp * random) : exp);
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + delay.toMillis() + "ms.." + maxDelay.toMillis()
        + "ms" + (jitter ? " full jitter" : "") + (maxDuration == null ? "" : ", maxDuration=" + maxDuration)
        + ", retryOn=" + retryOn + (escalateAfter == 0 ? "" : ", escalateAfter=" + escalateAfter)
        + (contentionControl ? "" : ", contentionControl=off") + "]";
  }

  /**
   * Builds {@link RetryPolicy} values. Not thread-safe; {@link #build()} copies, so a builder can be reused.
   */
  public static final class Builder {
    private int maxAttempts = 10;
    private Duration delay = Duration.ofMillis(5);
    private Duration maxDelay = Duration.ofSeconds(1);
    private boolean jitter = true;
    private @Nullable Duration maxDuration;
    private EnumSet<FailureKind> retryOn =
        EnumSet.of(FailureKind.SERIALIZATION_FAILURE, FailureKind.DEADLOCK, FailureKind.CONNECTION_LOST);
    private @Nullable Consumer<RetryEvent> onRetry;
    private @Nullable Consumer<GiveUpEvent> onGiveUp;
    private int escalateAfter = 5;
    private boolean contentionControl = true;

    private Builder() {
    }

    /**
     * Sets the most attempts, the first one included.
     *
     * @param maxAttempts at least 1; 1 means no retry
     * @return this builder
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public Builder withMaxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1 (1 = no retries), was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets exponential backoff: the first wait is {@code delay}, doubling after each failure up to
     * {@code maxDelay}.
     *
     * @param delay first delay, zero or positive (default 5 ms)
     * @param maxDelay cap, at least {@code delay} (default 1 s); either one longer than 100 years (36,500 days) is
     *     taken as 100 years
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a delay is negative (the order of the two is checked by {@link #build()})
     */
    public Builder withBackoff(Duration delay, Duration maxDelay) {
      this.delay = Durations.saturated(nonNegative(delay, "delay"));
      this.maxDelay = Durations.saturated(nonNegative(maxDelay, "maxDelay"));
      return this;
    }

    /**
     * Sets whether full jitter is applied to each wait (default true). Without jitter, contending transactions
     * retry in lockstep and collide again.
     *
     * @param fullJitter true for full jitter
     * @return this builder
     */
    public Builder withJitter(boolean fullJitter) {
      this.jitter = fullJitter;
      return this;
    }

    /**
     * Sets the longest time after the first attempt's start during which a retry may still start.
     *
     * @param maxDuration positive, or null for none (the default); longer than 100 years (36,500 days) is taken as
     *     100 years
     * @return this builder
     * @throws IllegalArgumentException if {@code maxDuration} is zero or negative
     */
    public Builder withMaxDuration(@Nullable Duration maxDuration) {
      if (maxDuration != null && (maxDuration.isNegative() || maxDuration.isZero())) {
        throw new IllegalArgumentException("maxDuration must be positive, was " + maxDuration);
      }
      this.maxDuration = maxDuration == null ? null : Durations.saturated(maxDuration);
      return this;
    }

    /**
     * Adds failure kinds to retry, e.g. {@link FailureKind#LOCK_TIMEOUT}, or
     * {@link FailureKind#CONSTRAINT_VIOLATION} for a transaction that picks its own keys.
     *
     * @param kinds kinds to add
     * @return this builder
     * @throws NullPointerException if a kind is null
     * @throws IllegalArgumentException for {@link FailureKind#OUTCOME_UNKNOWN}: retrying a commit of unknown
     *     outcome can apply it twice; declare the transaction idempotent instead
     */
    public Builder retryOn(FailureKind... kinds) {
      for (FailureKind k : kinds) {
        Objects.requireNonNull(k, "kind");
        if (k == FailureKind.OUTCOME_UNKNOWN) {
          throw new IllegalArgumentException("OUTCOME_UNKNOWN cannot be retried by policy: a retry could apply "
              + "the transaction twice. Use TxOptions.builder().idempotent(true) for transactions that are safe "
              + "to repeat");
        }
        retryOn.add(k);
      }
      return this;
    }

    /**
     * Removes failure kinds from those retried.
     *
     * @param kinds kinds not to retry
     * @return this builder
     * @throws NullPointerException if a kind is null
     */
    public Builder abortOn(FailureKind... kinds) {
      for (FailureKind k : kinds) {
        retryOn.remove(Objects.requireNonNull(k, "kind"));
      }
      return this;
    }

    /**
     * Sets contention control by escalation (default 5): once a call has failed this many attempts, each further
     * attempt runs exclusively among this process's attempts of transactions with the same
     * {@linkplain TxOptions#name() name}, while fresh attempts of that name wait for it. Backoff alone cannot
     * guarantee that a call under sustained hot-spot conflicts ever succeeds; an attempt that no other attempt
     * of its kind runs beside can only conflict with other kinds of transactions or other processes (measured
     * in docs/databases.md: 0% of calls failed). Fresh attempts pay an atomic increment and decrement.
     *
     * <p>Only the outermost transaction of a thread takes part. Do not make the callbacks of two transactions of
     * the same name wait for each other (with latches, say): an escalated attempt waits until every running
     * attempt of its name has ended.
     *
     * @param afterFailures number of failed attempts after which to escalate, or 0 to never escalate
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder withEscalation(int afterFailures) {
      if (afterFailures < 0) {
        throw new IllegalArgumentException("afterFailures must be 0 (no escalation) or positive, was "
            + afterFailures);
      }
      this.escalateAfter = afterFailures;
      return this;
    }

    /**
     * Sets adaptive contention control (default on): this process runs at most a limited number of attempts of
     * one {@linkplain TxOptions#name() transaction name} at once, and adapts the limit to what it observes,
     * like TCP's congestion control. There is no limit until attempts of the name conflict (a serialization
     * failure or a deadlock); then the limit starts at half the attempts running, decreases while conflicts
     * waste more than a quarter of the name's attempt time, increases by one while they waste little and
     * attempts queue, and is lifted when the name has been quiet for a while. Waiting attempts queue first come,
     * first served, before {@code begin}: they hold no connection and no database lock, and their deadline and
     * interrupts are honoured. An attempt queued for a second is let in over the limit (a stuck attempt holding
     * a slot does not stall the name). The current limit and queueing reach {@link TransactionStats} and
     * {@link TransactionListener#onConcurrencyLimit}.
     *
     * <p>Only the outermost transaction of a thread takes part, and only transactions with a name of their own:
     * those left at the default name are unrelated to each other, and limiting them together would throttle the
     * whole application for one hot spot. Give each hot transaction its name. The uncontended path costs no lock
     * and no allocation. Measured in docs/benchmarks.md.
     *
     * @param on whether to limit
     * @return this builder
     */
    public Builder withContentionControl(boolean on) {
      this.contentionControl = on;
      return this;
    }

    /**
     * Sets a callback run before each retry, on the calling thread, before the wait. An exception it throws is
     * logged and ignored.
     *
     * @param listener the callback, or null for none
     * @return this builder
     */
    public Builder onRetry(@Nullable Consumer<RetryEvent> listener) {
      this.onRetry = listener;
      return this;
    }

    /**
     * Sets a callback run when a failure is not retried (not retryable, or budget spent), before it is thrown. An
     * exception it throws is logged and ignored.
     *
     * @param listener the callback, or null for none
     * @return this builder
     */
    public Builder onGiveUp(@Nullable Consumer<GiveUpEvent> listener) {
      this.onGiveUp = listener;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return a new immutable policy
     * @throws IllegalArgumentException if {@code maxDelay < delay}
     */
    public RetryPolicy build() {
      if (maxDelay.compareTo(delay) < 0) {
        throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must not be shorter than delay (" + delay
            + ")");
      }
      return new RetryPolicy(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
