package dev.txkit.jdbc;

import dev.txkit.FailureKind;
import dev.txkit.Outcome;
import dev.txkit.RetryEvent;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionWarning;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Micrometer meters per transaction name, as a listener: {@code Transactions.builder(ds).metrics(registry)}, or
 * {@code .listener(new MicrometerMetrics(registry))}. Micrometer is an optional dependency of txkit-jdbc: this
 * class is the only one that needs it.
 *
 * <table>
 *   <caption>Meters (every one tagged {@code name}, the transaction's name)</caption>
 *   <tr><th>Meter</th><th>Type</th><th>Other tags</th><th>What</th></tr>
 *   <tr><td>{@code txkit.transactions}</td><td>timer</td><td>{@code outcome}: committed, resolved, rolled_back,
 *       gave_up, unknown</td><td>each call, its duration (all attempts); its count per outcome gives commits,
 *       rollbacks, give-ups and unknown outcomes</td></tr>
 *   <tr><td>{@code txkit.transaction.retries}</td><td>counter</td><td>{@code kind}: the failure kind, lower
 *       case</td><td>failed attempts that were retried</td></tr>
 *   <tr><td>{@code txkit.transaction.idle}</td><td>timer</td><td></td><td>each call's idle time inside its
 *       transactions (application work while holding locks)</td></tr>
 *   <tr><td>{@code txkit.transaction.database}</td><td>timer</td><td></td><td>each call's time inside JDBC
 *       calls</td></tr>
 *   <tr><td>{@code txkit.transaction.connection.wait}</td><td>timer</td><td></td><td>each call's wait for
 *       connections</td></tr>
 *   <tr><td>{@code txkit.transaction.warnings}</td><td>counter</td><td>{@code kind}: the warning's kind, lower
 *       case</td><td>pitfalls seen (configuration warnings are tagged with the name {@code none})</td></tr>
 * </table>
 *
 * <p>Thread-safe; meters are registered once per name and reused, so recording a call does not allocate once the
 * name has been seen.
 */
public final class MicrometerMetrics implements TransactionListener {

  private final MeterRegistry registry;
  private final Map<String, PerName> byName = new ConcurrentHashMap<>();

  /**
   * @param registry where the meters are registered
   * @throws NullPointerException if {@code registry} is null
   */
  public MicrometerMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  private PerName perName(String name) {
    PerName p = byName.get(name);
    return p != null ? p : byName.computeIfAbsent(name, PerName::new);
  }

  @Override
  public void onComplete(TransactionStats stats) {
    PerName p = perName(stats.transactionName());
    p.outcome(stats.outcome()).record(stats.elapsedNanos(), TimeUnit.NANOSECONDS);
    if (stats.measured()) {
      p.idle.record(stats.idleNanos(), TimeUnit.NANOSECONDS);
      p.database.record(stats.databaseNanos(), TimeUnit.NANOSECONDS);
      p.connectionWait.record(stats.connectionWaitNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void onRetry(RetryEvent event) {
    perName(event.transactionName()).retries(event.classification().kind()).increment();
  }

  @Override
  public void onWarning(TransactionWarning warning) {
    String name = warning.transactionName();
    Counter.builder("txkit.transaction.warnings").description("Pitfalls and configuration warnings txkit reported")
        .tag("name", name == null ? "none" : name).tag("kind", warning.kind().name().toLowerCase(Locale.ROOT))
        .register(registry).increment();
  }

  /** The meters of one transaction name. */
  private final class PerName {
    private final String name;
    private final AtomicReferenceArray<Timer> outcomes = new AtomicReferenceArray<>(Outcome.values().length);
    private final AtomicReferenceArray<Counter> retries = new AtomicReferenceArray<>(FailureKind.values().length);
    final Timer idle;
    final Timer database;
    final Timer connectionWait;

    PerName(String name) {
      this.name = name;
      this.idle = Timer.builder("txkit.transaction.idle")
          .description("Time transactions were open outside JDBC calls (application work while holding locks)")
          .tag("name", name).register(registry);
      this.database = Timer.builder("txkit.transaction.database")
          .description("Time inside JDBC calls (statements, commit, rollback) per call").tag("name", name)
          .register(registry);
      this.connectionWait = Timer.builder("txkit.transaction.connection.wait")
          .description("Time waiting for connections per call").tag("name", name).register(registry);
    }

    Timer outcome(Outcome o) {
      Timer t = outcomes.get(o.ordinal());
      if (t == null) {
        t = Timer.builder("txkit.transactions").description("Calls of transactions, all attempts, by outcome")
            .tag("name", name).tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry);
        outcomes.set(o.ordinal(), t);
      }
      return t;
    }

    Counter retries(FailureKind kind) {
      Counter c = retries.get(kind.ordinal());
      if (c == null) {
        c = Counter.builder("txkit.transaction.retries").description("Failed attempts that were retried")
            .tag("name", name).tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry);
        retries.set(kind.ordinal(), c);
      }
      return c;
    }
  }
}
