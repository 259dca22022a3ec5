package dev.txkit.jdbc;

import dev.txkit.FailureRule;
import dev.txkit.Isolation;
import dev.txkit.Pitfalls;
import dev.txkit.Propagation;
import dev.txkit.Sleeper;
import dev.txkit.Ticker;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionWarning;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.internal.HikariSupport;
import dev.txkit.jdbc.internal.JdbcResource;
import dev.txkit.jdbc.internal.LogListener;
import dev.txkit.jdbc.internal.ManualTx;
import dev.txkit.jdbc.internal.Mdc;
import dev.txkit.jdbc.internal.TransactionAwareDataSource;
import dev.txkit.jdbc.internal.TxScope;
import dev.txkit.spi.TransactionEngine;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Immutable and thread-safe. (Most of this class is the Javadoc of the entry points' overloads and of the
 * builder; the lifecycle itself is the engine's, in txkit-core.)
 */
public final class Transactions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

  private final JdbcResource resource;
  private final TransactionEngine engine;
  private final TxOptions defaults;
  private final Map<Isolation, TxOptions> byIsolation;
  private final boolean ownsDataSource;
  private final boolean mdc;

  private Transactions(JdbcResource resource, TransactionEngine engine, TxOptions defaults, boolean owns,
      boolean mdc) {
    this.resource = resource;
    this.engine = engine;
    this.defaults = defaults;
    this.ownsDataSource = owns;
    this.mdc = mdc;
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
    return new Transactions(resource, engine, Objects.requireNonNull(defaults, "defaults"), false, mdc);
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
   * A view of the data source for libraries that take a {@link DataSource}: Spring's {@code JdbcTemplate}, jOOQ's
   * {@code DSL.using(dataSource, dialect)}, Jdbi, MyBatis. Inside a transaction of this {@code Transactions} (or one
   * derived from it with {@link #with}) on the calling thread, {@code getConnection()} returns that transaction's
   * managed connection, as {@link Tx#connection()} does: the library's statements are part of the transaction,
   * roll back with it, run in its savepoint blocks, and their deadlocks and serialization failures make txkit
   * retry the whole callback; closing the connection does nothing. Outside any, it hands out a connection of the
   * pool, as the data source itself does.
   *
   * <p>Libraries that manage transactions themselves must leave them to txkit: the managed connection refuses
   * {@code commit}, {@code rollback} and {@code setAutoCommit} (Spring's {@code @Transactional} and
   * {@code DataSourceTransactionManager} on this view inside a txkit transaction fail for that reason; see the
   * README).
   *
   * @return the view (a new object each call; all views behave alike)
   */
  public DataSource transactionAwareDataSource() {
    return new TransactionAwareDataSource(resource.dataSource(), engine);
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
   * What the driver self-check found: settings of the driver, the pool or the database that change how
   * transactions behave (pgjdbc's {@code autosave}, a pool handing out connections with autocommit off,
   * MariaDB/MySQL lock-timeout and deadlock settings, H2's lock timeout), checked once on the first connection,
   * and isolation levels the database runs differently from what they say, checked the first time each is used.
   * Each warning was also logged at WARN and given to the listeners. Empty when the self-check is off
   * ({@link Builder#selfCheck}).
   *
   * @return the warnings so far
   * @throws dev.txkit.DatabaseFailureException if no connection could be taken to check
   */
  public List<TransactionWarning> configurationWarnings() {
    try {
      return resource.configurationWarnings();
    } catch (SQLException e) {
      throw dev.txkit.DatabaseFailureException.of("Could not check the connection's settings", e,
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
    return inTransaction(Objects.requireNonNull(byIsolation.get(Objects.requireNonNull(isolation, "isolation"))),
        callback);
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
    if (mdc) {
      return engine.execute(resource, options, scope -> Mdc.call(scope, callback));
    }
    return engine.execute(resource, options, scope -> callback.apply(new TxScope(scope)));
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
    return new ManualTx(engine.begin(resource, options));
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
    private @Nullable CommitMarkers commitMarkers;
    private Duration leakDetectionThreshold = Duration.ofSeconds(60);
    private boolean owns;
    private Pitfalls pitfalls = Pitfalls.off();
    private boolean mdc;
    private boolean selfCheck = true;

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
     * means success, aborted means a safe retry. Off by default. Other databases have no such lookup; on
     * MariaDB, MySQL and Galera use {@link #commitMarkers(CommitMarkers)}.
     *
     * @param resolve true to resolve
     * @return this builder
     */
    public Builder resolveCommitOutcome(boolean resolve) {
      this.resolveCommitOutcome = resolve;
      return this;
    }

    /**
     * Resolves commits whose reply is lost with marker rows in {@code table}, with the default settings of
     * {@link CommitMarkers}: the same as {@code commitMarkers(CommitMarkers.table(table))}.
     *
     * @param table the marker table, {@code name} or {@code schema.name}; it must exist
     *     ({@link CommitMarkers#createTableSql()})
     * @return this builder
     * @throws IllegalArgumentException if {@code table} is not a plain (optionally schema-qualified) identifier
     */
    public Builder commitMarkers(String table) {
      return commitMarkers(CommitMarkers.table(table));
    }

    /**
     * On MariaDB, MySQL and Galera, makes every read-write transaction write a marker row just before
     * {@code COMMIT} (one extra statement per transaction) so that a commit whose reply is lost can be resolved on
     * another connection: marker there means committed (the call succeeds, no retry); marker absent and fenced off
     * by txkit means not committed (the call retries); anything else stays unknown
     * ({@link dev.txkit.CommitOutcomeUnknownException}). {@link CommitMarkers} explains how, and the cleanup of
     * old markers. Off by default. On any other database the first transaction fails with an
     * {@code IllegalStateException}.
     *
     * @param markers the settings
     * @return this builder
     */
    public Builder commitMarkers(CommitMarkers markers) {
      this.commitMarkers = Objects.requireNonNull(markers, "markers");
      return this;
    }

    /**
     * How long a manual transaction ({@link Transactions#begin}) may stay open on its thread before txkit takes it
     * for leaked, never closed: from then on a txkit call on that thread fails with an
     * {@code IllegalStateException} that names it, instead of silently running inside it (where its work would
     * never commit), and closing it logs a warning. Default 60 s, like a pool's leak detection but on by default,
     * because a leaked transaction loses data silently.
     *
     * @param threshold the threshold, or {@code Duration.ZERO} to turn leak detection off
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder leakDetectionThreshold(Duration threshold) {
      Objects.requireNonNull(threshold, "threshold");
      if (threshold.isNegative()) {
        throw new IllegalArgumentException("leakDetectionThreshold must not be negative, was " + threshold
            + "; use Duration.ZERO to turn leak detection off");
      }
      this.leakDetectionThreshold = threshold;
      return this;
    }

    /**
     * Watches for transaction pitfalls (long transactions, idle gaps between statements, blocking calls), each
     * off, warn or fail. Warnings are logged at WARN and given to the listeners' {@code onWarning}.
     *
     * @param pitfalls what to watch for; default {@link Pitfalls#off()}
     * @return this builder
     */
    public Builder pitfalls(Pitfalls pitfalls) {
      this.pitfalls = Objects.requireNonNull(pitfalls, "pitfalls");
      return this;
    }

    /**
     * Puts the transaction's name ({@code txkit.transaction}) and attempt ({@code txkit.attempt}) in SLF4J's MDC
     * while a callback runs, so that the application's log lines carry them; what was there before is put back
     * afterwards (a nested call's values give way to the enclosing ones). Off by default: with a real logging
     * backend each {@code MDC.put} costs a little on every transaction.
     *
     * @param mdc true to set the MDC
     * @return this builder
     */
    public Builder mdc(boolean mdc) {
      this.mdc = mdc;
      return this;
    }

    /**
     * Whether to check, once, the settings of the driver, the pool and the database that change how transactions
     * behave ({@link Transactions#configurationWarnings()}). On by default: it costs a query or two on the first
     * connection, and one check the first time each isolation level is used.
     *
     * @param check false to skip the check
     * @return this builder
     */
    public Builder selfCheck(boolean check) {
      this.selfCheck = check;
      return this;
    }

    /**
     * Registers Micrometer meters for the transactions ({@link MicrometerMetrics}): one line for timers and counters
     * per transaction name. Needs {@code io.micrometer:micrometer-core} on the class path (an optional dependency
     * of txkit-jdbc).
     *
     * @param registry the registry, an {@code io.micrometer.core.instrument.MeterRegistry}
     * @return this builder
     */
    public Builder metrics(io.micrometer.core.instrument.MeterRegistry registry) {
      return listener(new MicrometerMetrics(registry));
    }

    /**
     * Builds the transactions.
     *
     * @return the transactions
     */
    public Transactions build() {
      String prefix = "[" + name + "] ";
      List<TransactionListener> all = new ArrayList<>(listeners);
      if (LogListener.enabled()) {
        all.add(new LogListener(name));
      }
      List<TransactionListener> told = List.copyOf(listeners);
      JdbcResource resource = new JdbcResource(dataSource, name, rules, resolveCommitOutcome, selfCheck, w -> {
        LOG.warn("{}{}", prefix, w.message());
        for (TransactionListener l : told) {
          try {
            l.onWarning(w);
          } catch (RuntimeException e) {
            LOG.warn("{}a transaction listener threw; ignored", prefix, e);
          }
        }
      }, commitMarkers, ticker);
      TransactionEngine engine = TransactionEngine.builder().sleeper(sleeper).ticker(ticker).random(random)
          .listeners(all).leakThreshold(leakDetectionThreshold).pitfalls(pitfalls)
          .ownFrames(Transactions.class.getName(), "dev.txkit.jdbc.internal.")
          .warnings((message, failure) -> LOG.warn("{}{}", prefix, message, failure)).build();
      return new Transactions(resource, engine, defaults, owns, mdc);
    }
  }
}
