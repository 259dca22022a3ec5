package dev.txkit;

import dev.txkit.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a transaction runs: isolation, read-only, timeout, retry policy, propagation, name and idempotence.
 *
 * <p>Defaults ({@link #defaults()}): {@link Isolation#DEFAULT}, read-write, no timeout,
 * {@link RetryPolicy#defaults()}, {@link Propagation#NESTED}, name {@code "transaction"}, not idempotent.
 *
 * <p>Immutable and thread-safe; build one with {@link #builder()}.
 */
public final class TxOptions {

  /** The name given to transactions that set none. */
  public static final String DEFAULT_NAME = "transaction";

  private static final TxOptions DEFAULTS = builder().build();

  private final Isolation isolation;
  private final boolean readOnly;
  private final @Nullable Duration timeout;
  private final RetryPolicy retry;
  private final Propagation propagation;
  private final String name;
  private final boolean idempotent;

  private TxOptions(Builder b) {
    this.isolation = b.isolation;
    this.readOnly = b.readOnly;
    this.timeout = b.timeout;
    this.retry = b.retry;
    this.propagation = b.propagation;
    this.name = b.name;
    this.idempotent = b.idempotent;
  }

  /**
   * The default options.
   *
   * @return the defaults
   */
  public static TxOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Default options with the given isolation.
   *
   * @param isolation the isolation
   * @return the options
   * @throws NullPointerException if {@code isolation} is null
   */
  public static TxOptions of(Isolation isolation) {
    return isolation == Isolation.DEFAULT ? DEFAULTS : builder().isolation(isolation).build();
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
   * A builder starting from these options.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.isolation = isolation;
    b.readOnly = readOnly;
    b.timeout = timeout;
    b.retry = retry;
    b.propagation = propagation;
    b.name = name;
    b.idempotent = idempotent;
    return b;
  }

  /** @return the requested isolation */
  public Isolation isolation() {
    return isolation;
  }

  /** @return whether the transaction is read-only */
  public boolean readOnly() {
    return readOnly;
  }

  /** @return the deadline of the whole call, retries included, or null for none */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /** @return the retry policy (only the outermost transaction retries) */
  public RetryPolicy retry() {
    return retry;
  }

  /** @return what happens when a transaction is already active */
  public Propagation propagation() {
    return propagation;
  }

  /** @return the name used in logs, listener events and contention statistics */
  public String name() {
    return name;
  }

  /**
   * Whether running the transaction twice is harmless. Only then does txkit retry after a commit whose outcome
   * is unknown (and no resolver could find it out).
   *
   * @return true if declared idempotent
   */
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public String toString() {
    return "TxOptions[name=" + name + ", isolation=" + isolation + ", readOnly=" + readOnly + ", timeout="
        + timeout + ", propagation=" + propagation + ", idempotent=" + idempotent + ", retry=" + retry + "]";
  }

  /** Builds {@link TxOptions}. Not thread-safe; {@link #build()} copies, so a builder can be reused. */
  public static final class Builder {
    private Isolation isolation = Isolation.DEFAULT;
    private boolean readOnly;
    private @Nullable Duration timeout;
    private RetryPolicy retry = RetryPolicy.defaults();
    private Propagation propagation = Propagation.NESTED;
    private String name = DEFAULT_NAME;
    private boolean idempotent;

    private Builder() {
    }

    /**
     * Sets the isolation.
     *
     * @param isolation the isolation
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder isolation(Isolation isolation) {
      this.isolation = Objects.requireNonNull(isolation, "isolation");
      return this;
    }

    /**
     * Sets read-only. txkit enforces it with SQL where the driver treats it only as a hint.
     *
     * @param readOnly true for read-only
     * @return this builder
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Sets the deadline of the whole call, retries included. Each statement gets the remaining time.
     *
     * @param timeout positive, or null for none (the default); a timeout longer than 100 years (36,500 days, e.g.
     *     {@code ChronoUnit.FOREVER.getDuration()}) is taken as 100 years, which {@link TxOptions#timeout()} then
     *     returns
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder timeout(@Nullable Duration timeout) {
      if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
        throw new IllegalArgumentException("timeout must be positive (or null for none), was " + timeout);
      }
      this.timeout = timeout == null ? null : Durations.saturated(timeout);
      return this;
    }

    /**
     * Sets the retry policy.
     *
     * @param retry the policy; {@link RetryPolicy#none()} for a single attempt
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * Sets the propagation.
     *
     * @param propagation the propagation
     * @return this builder
     * @throws NullPointerException if null
     */
    public Builder propagation(Propagation propagation) {
      this.propagation = Objects.requireNonNull(propagation, "propagation");
      return this;
    }

    /**
     * Sets the name used in logs and events.
     *
     * @param name a non-blank name
     * @return this builder
     * @throws NullPointerException if null
     * @throws IllegalArgumentException if blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Declares that running the transaction twice is harmless, so that a commit of unknown outcome may be retried.
     *
     * @param idempotent true if idempotent
     * @return this builder
     */
    public Builder idempotent(boolean idempotent) {
      this.idempotent = idempotent;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return new immutable options
     */
    public TxOptions build() {
      return new TxOptions(this);
    }
  }
}
