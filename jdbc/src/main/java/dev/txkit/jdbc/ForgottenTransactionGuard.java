package dev.txkit.jdbc;

import dev.txkit.PitfallMode;
import dev.txkit.TransactionWarning;
import dev.txkit.jdbc.internal.GuardedDataSource;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The "forgotten transaction" guard: wraps a {@link DataSource} so that two or more data-changing statements
 * ({@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}) run by one thread in autocommit mode within a
 * short window are reported, with the statements and where the first one was made. Each of them committed on its
 * own: a failure between them leaves half the work done, where one transaction was most likely meant. Statements
 * in a transaction (txkit's, or any with autocommit off) and queries are not counted.
 *
 * <pre>{@code
 * DataSource guarded = ForgottenTransactionGuard.wrap(pool);      // warn, 1 s window
 * Transactions txs = Transactions.create(guarded);                 // txkit may use it too
 * // in tests: fail instead of warning
 * DataSource strict = ForgottenTransactionGuard.builder(pool).mode(PitfallMode.FAIL).build();
 * }</pre>
 *
 * <p>Costs a JDK proxy around each connection and statement and a stack walk per autocommit write: meant for
 * development, tests and staging. Connections taken from the guard while a txkit transaction is open on the thread
 * are reported as blocking calls when that transaction's {@code Transactions} watches for them
 * ({@link dev.txkit.Pitfalls#blockingCall()}). Warnings are logged at WARN.
 */
public final class ForgottenTransactionGuard {

  private ForgottenTransactionGuard() {
  }

  /**
   * Wraps a data source with the defaults: warn, for writes within 1 s of each other.
   *
   * @param dataSource the data source
   * @return the guarded data source
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static DataSource wrap(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /**
   * A builder for a guard over {@code dataSource}.
   *
   * @param dataSource the data source
   * @return the builder
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /** Builds a guarded data source. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private Duration window = Duration.ofSeconds(1);
    private PitfallMode mode = PitfallMode.WARN;
    private @Nullable Consumer<TransactionWarning> listener;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * @param window how close together (from the first) autocommit writes must be to be reported; default 1 s
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder window(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive, was " + window);
      }
      this.window = window;
      return this;
    }

    /**
     * @param mode {@link PitfallMode#WARN} (default), or {@link PitfallMode#FAIL} to refuse the second write with
     *     {@link dev.txkit.PitfallException} (in tests)
     * @return this builder
     * @throws IllegalArgumentException for {@link PitfallMode#OFF}: do not wrap the data source instead
     */
    public Builder mode(PitfallMode mode) {
      Objects.requireNonNull(mode, "mode");
      if (mode == PitfallMode.OFF) {
        throw new IllegalArgumentException("PitfallMode.OFF: use the data source itself instead of wrapping it");
      }
      this.mode = mode;
      return this;
    }

    /**
     * @param listener also told of each warning (for metrics or tests), besides the log
     * @return this builder
     */
    public Builder listener(Consumer<TransactionWarning> listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** @return the guarded data source */
    public DataSource build() {
      return new GuardedDataSource(dataSource, window.toNanos(), mode, listener);
    }
  }
}
