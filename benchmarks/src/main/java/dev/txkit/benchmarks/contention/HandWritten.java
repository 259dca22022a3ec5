package dev.txkit.benchmarks.contention;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Transactions written by hand, as a careful developer writes them: a pooled connection, autocommit off,
 * commit, rollback in the catch (a rollback failure attached, not masking the cause), autocommit restored and
 * the connection closed in all cases. The isolation is the pool's ({@code HikariConfig.setTransactionIsolation}),
 * so no statement per transaction sets it. Retries (where the mode has them) are for SQLState 40001 and 40P01 and
 * MariaDB's 1213 ({@link Failures#retryable}), at most {@value #MAX_ATTEMPTS} attempts, on a fresh connection.
 */
final class HandWritten implements Strategy {

  /** The same budget and backoff as txkit's defaults, so that only the code differs. */
  static final int MAX_ATTEMPTS = 10;
  static final long BASE_DELAY_NANOS = 5_000_000L;
  static final long MAX_DELAY_NANOS = 1_000_000_000L;

  /** Which hand-written variant. */
  enum Mode {
    /** one attempt; every failure reaches the caller */
    NO_RETRY,
    /** retry at once */
    RETRY,
    /** retry after a full-jitter exponential wait */
    BACKOFF
  }

  private final DataSource pool;
  private final Mode mode;

  HandWritten(DataSource pool, Mode mode) {
    this.pool = pool;
    this.mode = mode;
  }

  @Override
  public boolean call(Operation op, Recorder rec) throws SQLException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      rec.attempt();
      try {
        return once(op);
      } catch (SQLException e) {
        if (mode == Mode.NO_RETRY || attempt >= MAX_ATTEMPTS || !Failures.retryable(e)) {
          throw e;
        }
        rec.aborted(e);
        if (mode == Mode.BACKOFF) {
          long exp = Math.min(MAX_DELAY_NANOS, BASE_DELAY_NANOS << Math.min(attempt - 1, 20));
          long wait = (long) (exp * ThreadLocalRandom.current().nextDouble());
          Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        }
      }
    }
  }

  private boolean once(Operation op) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      Throwable failure = null;
      try {
        boolean ok = op.runJdbc(c);
        if (ok) {
          c.commit();
        } else {
          c.rollback();
        }
        return ok;
      } catch (SQLException | RuntimeException e) {
        failure = e;
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw e;
      } finally {
        try {
          c.setAutoCommit(true);
        } catch (SQLException r) {
          if (failure == null) {
            throw r;
          }
          failure.addSuppressed(r);
        }
      }
    }
  }
}
