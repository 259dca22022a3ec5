package dev.txkit.testing.internal;

import dev.txkit.testing.Point;
import org.jspecify.annotations.Nullable;

/** What the proxies ask at each fault point: the fault controller's side of the proxies. */
public interface Interceptor {

  /**
   * Decides what happens to a call at a point; may pause (gates) or delay the calling thread first.
   *
   * @param point the point
   * @param connectionId the connection's id, 0 for getConnection
   * @param sql the statement, if any
   * @return what to do, or null to let the call proceed
   */
  @Nullable Directive decide(Point point, int connectionId, @Nullable String sql);

  /** @return the txkit transaction running on this thread, or null */
  @Nullable String transactionName();

  /** @return its attempt, or 0 */
  int attempt();
}
