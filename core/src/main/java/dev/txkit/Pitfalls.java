package dev.txkit;

import java.time.Duration;
import java.util.Objects;

/**
 * Which transaction pitfalls txkit watches for, each {@link PitfallMode#OFF off}, {@link PitfallMode#WARN warn}
 * or {@link PitfallMode#FAIL fail}: a transaction open longer than a threshold, an idle gap between two JDBC
 * calls of a transaction (application work, such as an HTTP call, while the transaction holds its locks), and a
 * blocking call reported with {@link CurrentTransaction#blockingCall} while a transaction is open. Each is
 * reported once per transaction, with its name and where it began (the caller's stack frame, captured only when
 * a pitfall is watched for). See {@code docs/observability.md}.
 *
 * <pre>{@code
 * Transactions txs = Transactions.builder(dataSource)
 *     .pitfalls(Pitfalls.builder()
 *         .longTransaction(PitfallMode.WARN, Duration.ofSeconds(5))
 *         .idleGap(PitfallMode.WARN, Duration.ofMillis(500))
 *         .blockingCall(PitfallMode.WARN)
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>Default: everything off ({@link #off()}), which costs nothing. With a threshold on, txkit reads the clock
 * around every statement. Immutable and thread-safe.
 */
public final class Pitfalls {

  private static final Pitfalls OFF = new Builder().build();

  private final PitfallMode longTransaction;
  private final Duration longTransactionThreshold;
  private final PitfallMode idleGap;
  private final Duration idleGapThreshold;
  private final PitfallMode blockingCall;

  private Pitfalls(Builder b) {
    this.longTransaction = b.longTransaction;
    this.longTransactionThreshold = b.longTransactionThreshold;
    this.idleGap = b.idleGap;
    this.idleGapThreshold = b.idleGapThreshold;
    this.blockingCall = b.blockingCall;
  }

  /** @return every pitfall off (the default) */
  public static Pitfalls off() {
    return OFF;
  }

  /** @return a builder with everything off */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the mode for transactions open longer than {@link #longTransactionThreshold()} */
  public PitfallMode longTransaction() {
    return longTransaction;
  }

  /** @return how long a transaction may be open (from its connection being ready) */
  public Duration longTransactionThreshold() {
    return longTransactionThreshold;
  }

  /** @return the mode for gaps between JDBC calls longer than {@link #idleGapThreshold()} */
  public PitfallMode idleGap() {
    return idleGap;
  }

  /** @return the longest gap between two JDBC calls of a transaction */
  public Duration idleGapThreshold() {
    return idleGapThreshold;
  }

  /** @return the mode for blocking calls reported while a transaction is open */
  public PitfallMode blockingCall() {
    return blockingCall;
  }

  /** @return whether any pitfall is watched for */
  public boolean any() {
    return longTransaction != PitfallMode.OFF || idleGap != PitfallMode.OFF || blockingCall != PitfallMode.OFF;
  }

  /** @return whether a watched pitfall needs the clock read around statements */
  public boolean needsClock() {
    return longTransaction != PitfallMode.OFF || idleGap != PitfallMode.OFF;
  }

  @Override
  public String toString() {
    return "Pitfalls[longTransaction=" + longTransaction + " " + longTransactionThreshold.toMillis() + " ms, idleGap="
        + idleGap + " " + idleGapThreshold.toMillis() + " ms, blockingCall=" + blockingCall + "]";
  }

  /** Builds {@link Pitfalls}. Not thread-safe. */
  public static final class Builder {
    private PitfallMode longTransaction = PitfallMode.OFF;
    private Duration longTransactionThreshold = Duration.ofSeconds(10);
    private PitfallMode idleGap = PitfallMode.OFF;
    private Duration idleGapThreshold = Duration.ofSeconds(1);
    private PitfallMode blockingCall = PitfallMode.OFF;

    private Builder() {
    }

    /**
     * Watches for transactions open longer than {@code threshold}, checked before each statement and at the
     * commit.
     *
     * @param mode off, warn or fail
     * @param threshold how long a transaction may be open; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code threshold} is not positive
     */
    public Builder longTransaction(PitfallMode mode, Duration threshold) {
      this.longTransaction = Objects.requireNonNull(mode, "mode");
      this.longTransactionThreshold = positive(threshold, "longTransaction");
      return this;
    }

    /**
     * Watches for gaps longer than {@code threshold} between two statements of a transaction, or between its
     * last statement and its commit: time the transaction held its locks while the application did something
     * else (an HTTP call, an email: {@code afterCommit} is the place for those).
     *
     * @param mode off, warn or fail
     * @param threshold the longest gap; positive
     * @return this builder
     * @throws IllegalArgumentException if {@code threshold} is not positive
     */
    public Builder idleGap(PitfallMode mode, Duration threshold) {
      this.idleGap = Objects.requireNonNull(mode, "mode");
      this.idleGapThreshold = positive(threshold, "idleGap");
      return this;
    }

    /**
     * Watches for blocking calls made while a transaction is open: calls reported with
     * {@link CurrentTransaction#blockingCall}, and connections taken from a data source wrapped by the JDBC
     * binding's guard while a transaction is open on the thread.
     *
     * @param mode off, warn or fail
     * @return this builder
     */
    public Builder blockingCall(PitfallMode mode) {
      this.blockingCall = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** @return the pitfalls */
    public Pitfalls build() {
      return new Pitfalls(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what + " threshold");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " threshold must be positive, was " + d
            + "; use PitfallMode.OFF to turn the warning off");
      }
      return d;
    }
  }
}
