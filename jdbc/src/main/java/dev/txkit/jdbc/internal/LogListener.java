package dev.txkit.jdbc.internal;

import dev.txkit.GiveUpEvent;
import dev.txkit.RetryEvent;
import dev.txkit.TransactionListener;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debug lines per attempt (commit, rollback, retry, give-up), registered only when debug logging is on when the
 * {@code Transactions} is built, so that it costs nothing otherwise. Logs failure kinds and codes, never
 * messages of the driver (they can hold values) and never bound values. Abnormal events are logged at WARN by the
 * engine's warning sink, not here.
 */
public final class LogListener implements TransactionListener {

  private static final Logger LOG = LoggerFactory.getLogger(LogListener.class);

  private final String name;

  /**
   * @param name the instance's name, the prefix of its log lines
   */
  public LogListener(String name) {
    this.name = name;
  }

  /** @return whether debug logging is on for this class */
  public static boolean enabled() {
    return LOG.isDebugEnabled();
  }

  @Override
  public void onCommit(String transactionName, int attempt) {
    LOG.debug("[{}] '{}' attempt {} committed", name, transactionName, attempt);
  }

  @Override
  public void onRollback(String transactionName, int attempt, @Nullable Throwable cause) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("[{}] '{}' attempt {} rolled back ({})", name, transactionName, attempt,
          cause == null ? "rollback-only" : describe(cause));
    }
  }

  @Override
  public void onRetry(RetryEvent e) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("[{}] '{}' attempt {} failed with {}{}; retrying in {} ms", name, e.transactionName(), e.attempt(),
          e.classification().kind(), codes(e.failure()), e.delay().toMillis());
    }
  }

  @Override
  public void onGiveUp(GiveUpEvent e) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("[{}] '{}' ends after {} attempt(s) with {}{}: {}", name, e.transactionName(), e.attempts(),
          e.classification().kind(), codes(e.failure()), e.reason());
    }
  }

  @Override
  public boolean wantsStatistics() {
    return false;
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + codes(t);
  }

  private static String codes(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException) {
        SQLException e = (SQLException) c;
        return " (SQLState " + e.getSQLState() + ", vendor code " + e.getErrorCode() + ")";
      }
    }
    return "";
  }
}
