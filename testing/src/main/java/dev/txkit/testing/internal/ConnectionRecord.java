package dev.txkit.testing.internal;

import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** What the recorder knows about one connection: its state when handed out and when closed. */
public final class ConnectionRecord {

  private final int id;
  private final @Nullable String initialState;
  private volatile @Nullable String closingState;
  private volatile boolean closed;
  private volatile boolean dropped;

  ConnectionRecord(int id, @Nullable String initialState) {
    this.id = id;
    this.initialState = initialState;
  }

  static @Nullable String stateOf(Connection c) {
    try {
      return "autoCommit=" + c.getAutoCommit() + ", isolation=" + c.getTransactionIsolation() + ", readOnly="
          + c.isReadOnly();
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }

  /** @return the connection's id */
  public int id() {
    return id;
  }

  /** @return autocommit, isolation and read-only when handed out, null if unreadable */
  public @Nullable String initialState() {
    return initialState;
  }

  /** @return the same when closed, null if not closed or unreadable */
  public @Nullable String closingState() {
    return closingState;
  }

  /** @return whether it was closed */
  public boolean isClosed() {
    return closed;
  }

  /** @return whether a fault dropped it */
  public boolean isDropped() {
    return dropped;
  }

  void closing(@Nullable String state) {
    closingState = state;
    closed = true;
  }

  void dropped() {
    dropped = true;
  }
}
