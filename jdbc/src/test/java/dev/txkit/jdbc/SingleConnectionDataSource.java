package dev.txkit.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Hands out one physical connection, again and again, and never closes it: whatever state txkit leaves on the
 * connection is what the next user gets, with no pool resetting it. Counts the calls made on the connection
 * (by method name) so tests can check what txkit changed.
 */
final class SingleConnectionDataSource implements DataSource, AutoCloseable {

  private final Connection physical;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AtomicInteger outstanding = new AtomicInteger();

  SingleConnectionDataSource(Connection physical) {
    this.physical = physical;
  }

  /** @return the physical connection, to inspect its state between transactions */
  Connection physical() {
    return physical;
  }

  /**
   * @param method a {@code Connection} method name
   * @return how often it was called through the handed-out connections
   */
  int calls(String method) {
    AtomicInteger n = calls.get(method);
    return n == null ? 0 : n.get();
  }

  void resetCounts() {
    calls.clear();
  }

  /** @return connections handed out and not closed yet */
  int outstanding() {
    return outstanding.get();
  }

  @Override
  public Connection getConnection() {
    if (outstanding.incrementAndGet() > 1) {
      outstanding.decrementAndGet();
      throw new IllegalStateException("the single connection is already in use");
    }
    boolean[] closed = {false};
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          String name = method.getName();
          calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
          if (name.equals("close")) {
            if (!closed[0]) {
              closed[0] = true;
              outstanding.decrementAndGet();
            }
            return null;
          }
          if (name.equals("isClosed")) {
            return closed[0] || physical.isClosed();
          }
          if (closed[0]) {
            throw new SQLException("connection handle used after close(): " + name);
          }
          try {
            return method.invoke(physical, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public Connection getConnection(String username, String password) {
    return getConnection();
  }

  @Override
  public void close() throws SQLException {
    physical.close();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
  }

  @Override
  public void setLoginTimeout(int seconds) {
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
