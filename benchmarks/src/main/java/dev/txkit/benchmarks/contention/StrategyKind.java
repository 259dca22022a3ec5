package dev.txkit.benchmarks.contention;

import dev.txkit.RetryPolicy;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The strategies the harness compares. To compare another configuration (e.g. txkit with a future adaptive
 * limiter switched off), add a constant here: the runner, the report and the charts pick it up by its id.
 */
public enum StrategyKind {
  /** try / commit / catch / rollback, no retry. */
  HAND_NO_RETRY("hand-no-retry", "hand-written JDBC, no retry") {
    @Override
    Strategy create(DataSource pool, Target target, String name) {
      return new HandWritten(pool, HandWritten.Mode.NO_RETRY);
    }
  },
  /** hand-written loop, retry at once. */
  HAND_RETRY("hand-retry", "hand-written retry loop, no backoff (10 attempts)") {
    @Override
    Strategy create(DataSource pool, Target target, String name) {
      return new HandWritten(pool, HandWritten.Mode.RETRY);
    }
  },
  /** hand-written loop with full-jitter backoff. */
  HAND_BACKOFF("hand-backoff", "hand-written retry loop, full-jitter backoff 5 ms doubling to 1 s (10 attempts)") {
    @Override
    Strategy create(DataSource pool, Target target, String name) {
      return new HandWritten(pool, HandWritten.Mode.BACKOFF);
    }
  },
  /** txkit with its defaults. */
  TXKIT("txkit", "txkit, default retry policy (10 attempts, backoff 5 ms to 1 s, adaptive contention control, "
      + "escalation after 5 failures)") {
    @Override
    Strategy create(DataSource pool, Target target, String name) {
      return new TxkitStrategy(pool, target, name, RetryPolicy.defaults());
    }
  },
  /** txkit with the adaptive limit only: escalation off. */
  TXKIT_LIMIT_ONLY("txkit-limit-only", "txkit, escalation off, adaptive limit on (withEscalation(0))") {
    @Override
    Strategy create(DataSource pool, Target target, String name) {
      return new TxkitStrategy(pool, target, name, RetryPolicy.defaults().toBuilder().withEscalation(0).build());
    }
  },
  /** txkit with escalation only: the adaptive limit off. */
  TXKIT_ESCALATION_ONLY("txkit-escalation-only", "txkit, adaptive limit off, escalation after 5 failures "
      + "(withContentionControl(false))") {
    @Override
    Strategy create(DataSource pool, Target target, String name) {
      return new TxkitStrategy(pool, target, name,
          RetryPolicy.defaults().toBuilder().withContentionControl(false).build());
    }
  },
  /** txkit with contention control off: neither the adaptive limit nor escalation. */
  TXKIT_NO_CONTROL("txkit-no-control", "txkit, contention control off (withContentionControl(false), "
      + "withEscalation(0))") {
    @Override
    Strategy create(DataSource pool, Target target, String name) {
      return new TxkitStrategy(pool, target, name,
          RetryPolicy.defaults().toBuilder().withContentionControl(false).withEscalation(0).build());
    }
  };

  private final String id;
  private final String description;

  StrategyKind(String id, String description) {
    this.id = id;
    this.description = description;
  }

  /** @return the name used on the command line and in the report */
  public String id() {
    return id;
  }

  /** @return what it does, for the report */
  public String description() {
    return description;
  }

  /** @return whether this is one of the hand-written strategies */
  public boolean handWritten() {
    return id.startsWith("hand-");
  }

  abstract Strategy create(DataSource pool, Target target, String name);

  /**
   * Finds a strategy by id.
   *
   * @param id e.g. {@code txkit}
   * @return the strategy
   * @throws IllegalArgumentException naming the known ids if none matches
   */
  public static StrategyKind of(String id) {
    StringBuilder known = new StringBuilder();
    for (StrategyKind k : values()) {
      if (k.id.equals(id.toLowerCase(Locale.ROOT))) {
        return k;
      }
      known.append(known.length() == 0 ? "" : ", ").append(k.id);
    }
    throw new IllegalArgumentException("Unknown strategy '" + id + "'; use one of " + known);
  }
}
