package dev.txkit.jdbc;

import dev.txkit.FailureRule;
import dev.txkit.Isolation;
import dev.txkit.Propagation;
import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import dev.txkit.TxOptions;
import dev.txkit.internal.AttemptContext;
import dev.txkit.internal.TransactionEngine;
import dev.txkit.jdbc.internal.HikariSupport;
import dev.txkit.jdbc.internal.JdbcAttempt;
import dev.txkit.jdbc.internal.JdbcResource;
import dev.txkit.jdbc.internal.ManualTx;
import dev.txkit.jdbc.internal.TxScope;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The entry point: runs code in JDBC transactions over a {@link DataSource}.
 *
 * <pre>{@code
 * Transactions txs = Transactions.create(dataSource);
 * long id = txs.inTransaction(Isolation.SERIALIZABLE, tx -> {
 *     tx.updateOne("UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?", qty, productId, qty);
 *     return tx.insertAndReturnKey("INSERT INTO invoices(product_id, quantity) VALUES (?, ?)", productId, qty);
 * });
 * }</pre>
 *
 * <p>Each call begins a transaction, runs the callback, commits on normal return and rolls back on any
 * exception, which is rethrown unchanged. Deadlocks, serialization failures and connections lost before the
 * commit are retried with backoff as the {@link dev.txkit.RetryPolicy} says. A call made while a transaction of
 * this {@code Transactions} (or one derived from it with {@link #with}) is active on the same thread is nested
 * according to its {@link Propagation}. Connection state (autocommit, isolation, read-only) is restored after
 * every transaction.
 *
 * <p>Immutable and thread-safe.
 */
public final class Transactions implements AutoCloseable {

  private final JdbcResource resource;
  private final TransactionEngine engine;
  private final TxOptions defaults;
  private final Map<Isolation, TxOptions> byIsolation;
  private final boolean ownsDataSource;

  private Transactions(JdbcResource resource, TransactionEngine engine, TxOptions defaults, boolean owns) {
    this.resource = resource;
    this.engine = engine;
    this.defaults = defaults;
    this.ownsDataSource = owns;
    Map<Isolation, TxOptions> m = new EnumMap<>(Isolation.class);
    for (Isolation i : Isolation.values()) {
      m.put(i, i == defaults.isolation() ? defaults : defaults.toBuilder().isolation(i).build());
    }
    this.byIsolation = m;
  }

  /**
   * Transactions over any data source, with default options. A pooled data source (HikariCP) is recommended.
   *
   * @param dataSource the data source
   * @return the transactions
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Transactions create(DataSource dataSource) {
    return builder(dataSource).build();
  }

  /**
   * Transactions over a new HikariCP pool for a JDBC URL. {@link #close()} closes the pool.
   *
   * @param jdbcUrl e.g. {@code jdbc:h2:mem:app;DB_CLOSE_DELAY=-1}
   * @return the transactions
   * @throws IllegalStateException if HikariCP is not on the class path
   */
  public static Transactions create(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Builder b = builder(HikariSupport.pool(jdbcUrl));
    b.owns = true;
    return b.build();
  }

  /**
   * A builder for transactions over {@code dataSource}, to set listeners, classification rules, defaults and
   * the clock.
   *
   * @param dataSource the data source
   * @return a new builder
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * A copy with other default options, sharing the data source, listeners and thread binding (so a transaction
   * of the copy nests inside one of the original).
   *
   * @param defaults the new defaults
   * @return the copy
   * @throws NullPointerException if {@code defaults} is null
   */
  public Transactions with(TxOptions defaults) {
    return new Transactions(resource, engine, Objects.requireNonNull(defaults, "defaults"), false);
  }

  /** @return the default options */
  public TxOptions defaults() {
    return defaults;
  }

  /** @return the data source */
  public DataSource dataSource() {
    return resource.dataSource();
  }

  /**
   * The database behind the data source, detected once from the metadata of the first connection.
   *
   * @return the database
   * @throws dev.txkit.DatabaseFailureException if no connection could be taken to find out
   */
  public Database database() {
    try {
      return resource.database();
    } catch (SQLException e) {
      throw dev.txkit.DatabaseFailureException.of("Could not detect the database", e,
          Database.OTHER.classifier().classify(e));
    }
  }

  /**
   * Runs {@code callback} in a transaction with the default options.
   *
   * @param callback the work
   * @param <T> the result type
   * @param <X> the callback's checked exception
   * @return the callback's result, after the commit
   * @throws X what the callback threw (after rollback)
   * @throws dev.txkit.TransactionException if txkit could not complete the transaction
   * @throws NullPointerException if {@code callback} is null
   */
  public <T, X extends Exception> T inTransaction(TransactionCallback<T, X> callback) throws X {
    return inTransaction(defaults, callback);
  }

  /**
   * Runs {@code callback} in a transaction with the given isolation and otherwise default options.
   *
   * @param isolation the isolation
   * @param callback the work
   * @param <T> the result type
   * @param <X> the callback's checked exception
   * @return the callback's result, after the commit
   * @throws X what the callback threw (after rollback)
   * @throws NullPointerException if an argument is null
   */
  public <T, X extends Exception> T inTransaction(Isolation isolation, TransactionCallback<T, X> callback)
      throws X {
    return inTransaction(byIsolation.get(Objects.requireNonNull(isolation, "isolation")), callback);
  }

  /**
   * Runs {@code callback} in a transaction with the given options.
   *
   * @param options the options
   * @param callback the work
   * @param <T> the result type
   * @param <X> the callback's checked exception
   * @return the callback's result, after the commit
   * @throws X what the callback threw (after rollback)
   * @throws IllegalStateException for {@link Propagation#MANDATORY} outside a transaction, or a nested call
   *     whose isolation or read-only setting conflicts with the enclosing transaction
   * @throws NullPointerException if an argument is null
   */
  public <T, X extends Exception> T inTransaction(TxOptions options, TransactionCallback<T, X> callback) throws X {
    Objects.requireNonNull(options, "options must not be null; use TxOptions.defaults()");
    Objects.requireNonNull(callback, "callback must not be null");
    TxScope current = resource.binding().current();
    Propagation propagation = options.propagation();
    if (current != null && !current.isEnded() && propagation != Propagation.REQUIRES_NEW) {
      return nested(current, options, callback);
    }
    if (propagation == Propagation.MANDATORY) {
      throw new IllegalStateException("Transaction '" + options.name() + "' has propagation MANDATORY but no "
          + "transaction is active on this thread; call it from inside inTransaction(...)");
    }
    return engine.execute(resource, options, (JdbcAttempt attempt, AttemptContext ctx) -> {
      TxScope scope = new TxScope(attempt, options, null, false);
      TxScope previous = resource.binding().push(scope);
      try {
        return callback.apply(scope);
      } finally {
        scope.end();
        resource.binding().restore(previous);
      }
    });
  }

  /**
   * Runs {@code work} in a transaction with the default options.
   *
   * @param work the work
   * @param <X> the work's checked exception
   * @throws X what the work threw (after rollback)
   */
  public <X extends Exception> void useTransaction(TransactionConsumer<X> work) throws X {
    inTransaction(defaults, Objects.requireNonNull(work, "work must not be null").asCallback());
  }

  /**
   * Runs {@code work} in a transaction with the given isolation.
   *
   * @param isolation the isolation
   * @param work the work
   * @param <X> the work's checked exception
   * @throws X what the work threw (after rollback)
   */
  public <X extends Exception> void useTransaction(Isolation isolation, TransactionConsumer<X> work) throws X {
    inTransaction(isolation, Objects.requireNonNull(work, "work must not be null").asCallback());
  }

  /**
   * Runs {@code work} in a transaction with the given options.
   *
   * @param options the options
   * @param work the work
   * @param <X> the work's checked exception
   * @throws X what the work threw (after rollback)
   */
  public <X extends Exception> void useTransaction(TxOptions options, TransactionConsumer<X> work) throws X {
    inTransaction(options, Objects.requireNonNull(work, "work must not be null").asCallback());
  }

  /**
   * Begins a transaction controlled by hand, with the default options.
   *
   * @return the transaction; close it (try-with-resources)
   */
  public ManualTransaction begin() {
    return begin(defaults);
  }

  /**
   * Begins a transaction controlled by hand: {@code try (var tx = txs.begin(options)) { ...; tx.commit(); }}.
   * Closing without commit rolls back. No retries; the retry policy is ignored.
   *
   * @param options the options
   * @return the transaction; close it (try-with-resources)
   * @throws IllegalStateException if a transaction is already active on this thread
   * @throws dev.txkit.DatabaseFailureException if the transaction could not begin
   */
  public ManualTransaction begin(TxOptions options) {
    Objects.requireNonNull(options, "options must not be null; use TxOptions.defaults()");
    TxScope current = resource.binding().current();
    if (current != null && !current.isEnded()) {
      throw new IllegalStateException("Cannot begin a manual transaction '" + options.name() + "' while '"
          + current.options().name() + "' is active on this thread; use inTransaction(...) to nest");
    }
    AttemptContext ctx = new AttemptContext(options, 1, options.timeout() != null,
        options.timeout() == null ? 0L : engine.ticker().read() + options.timeout().toNanos());
    for (TransactionListener l : engine.listeners()) {
      l.onBegin(options.name(), 1);
    }
    JdbcAttempt attempt;
    try {
      attempt = resource.begin(options, ctx);
    } catch (SQLException e) {
      throw dev.txkit.DatabaseFailureException.of("Could not begin '" + options.name() + "'", e,
          resource.classify(e));
    }
    ManualTx tx = new ManualTx(attempt, options, engine, resource.binding(), current);
    resource.binding().push(tx);
    return tx;
  }

  private <T, X extends Exception> T nested(TxScope outer, TxOptions options, TransactionCallback<T, X> callback)
      throws X {
    outer.checkOpen();
    TxOptions outerOptions = outer.options();
    Isolation wanted = options.isolation();
    if (wanted != Isolation.DEFAULT) {
      Isolation effective = outerOptions.isolation();
      if (effective == Isolation.DEFAULT) {
        try {
          effective = resource.defaultIsolation();
        } catch (SQLException e) {
          throw new IllegalStateException("Could not learn the default isolation", e);
        }
      }
      if (effective != wanted) {
        throw new IllegalStateException("Nested transaction '" + options.name() + "' asks for isolation " + wanted
            + " but the enclosing transaction '" + outerOptions.name() + "' runs with " + effective + ". A "
            + "transaction's isolation cannot change once it started: give the outer transaction " + wanted
            + ", use Isolation.DEFAULT in the nested call, or Propagation.REQUIRES_NEW for a separate transaction");
      }
    }
    if (!options.readOnly() && outerOptions.readOnly()) {
      throw new IllegalStateException("Nested transaction '" + options.name() + "' is read-write but the enclosing "
          + "transaction '" + outerOptions.name() + "' is read-only. Make the outer transaction read-write, or use "
          + "Propagation.REQUIRES_NEW");
    }
    boolean join = options.propagation() != Propagation.NESTED;
    TxScope inner = new TxScope(outer.jdbcAttempt(), options, outer, join);
    TxScope previous = resource.binding().push(inner);
    try {
      if (join) {
        return callback.apply(inner);
      }
      Savepoint sp = outer.savepoint();
      int mark = outer.jdbcAttempt().context().hooks().mark();
      T result;
      try {
        result = callback.apply(inner);
      } catch (Throwable t) {
        if (!outer.jdbcAttempt().context().isDoomed()) {
          try {
            inner.rollbackTo(sp);
          } catch (RuntimeException e) {
            t.addSuppressed(e);
          }
          outer.jdbcAttempt().context().hooks().dropAfterCommitSince(mark);
        }
        throw t;
      }
      if (outer.jdbcAttempt().context().isDoomed()) {
        return result;
      }
      if (inner.isRollbackOnly()) {
        inner.rollbackTo(sp);
        outer.jdbcAttempt().context().hooks().dropAfterCommitSince(mark);
      } else {
        inner.release(sp);
      }
      return result;
    } finally {
      inner.end();
      resource.binding().restore(previous);
    }
  }

  /** Closes the connection pool if this {@code Transactions} created it ({@link #create(String)}). */
  @Override
  public void close() {
    if (ownsDataSource) {
      try {
        HikariSupport.close(resource.dataSource());
      } catch (Exception e) {
        throw new IllegalStateException("Closing the connection pool failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "Transactions[" + resource.name() + ", defaults=" + defaults + "]";
  }

  /** Builds {@link Transactions}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private TxOptions defaults = TxOptions.defaults();
    private final List<TransactionListener> listeners = new ArrayList<>();
    private final List<FailureRule> rules = new ArrayList<>();
    private Sleeper sleeper = Sleeper.system();
    private Ticker ticker = Ticker.system();
    private @Nullable DoubleSupplier random;
    private String name = "txkit";
    private boolean resolveCommitOutcome;
    private boolean owns;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * Sets the default options.
     *
     * @param defaults the defaults
     * @return this builder
     */
    public Builder defaults(TxOptions defaults) {
      this.defaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

    /**
     * Adds a listener.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(TransactionListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds a classification rule, tried before the database's own rules (which stay in place).
     *
     * @param rule the rule
     * @return this builder
     */
    public Builder rule(FailureRule rule) {
      rules.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * Sets how txkit waits between attempts (tests inject a fake).
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Sets the time source for deadlines and maximum retry durations (tests inject a fake).
     *
     * @param ticker the ticker
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets the source of jitter, numbers in [0, 1) (tests inject a fixed one).
     *
     * @param random the source, or null for {@code ThreadLocalRandom}
     * @return this builder
     */
    public Builder random(@Nullable DoubleSupplier random) {
      this.random = random;
      return this;
    }

    /**
     * Sets the name that prefixes this instance's log lines.
     *
     * @param name a non-blank name; default {@code "txkit"}
     * @return this builder
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
     * On PostgreSQL, records each transaction's id before {@code COMMIT} (one extra round trip per
     * transaction) so that a commit whose reply is lost can be resolved with {@code pg_xact_status}: committed
     * means success, aborted means a safe retry. Off by default.
     *
     * @param resolve true to resolve
     * @return this builder
     */
    public Builder resolveCommitOutcome(boolean resolve) {
      this.resolveCommitOutcome = resolve;
      return this;
    }

    /**
     * Builds the transactions.
     *
     * @return the transactions
     */
    public Transactions build() {
      JdbcResource resource = new JdbcResource(dataSource, name, rules, resolveCommitOutcome, ticker);
      TransactionEngine engine = new TransactionEngine(sleeper, ticker, random, listeners);
      return new Transactions(resource, engine, defaults, owns);
    }
  }
}
