package dev.txkit.cluster;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} below the pool that records every {@link SQLException} the driver throws, by where it
 * came from ({@code commit} or a statement) and by what it was (class, SQLState, vendor code): what the cluster
 * really did, counted independently of txkit's classification and listeners.
 */
final class DriverEvents implements DataSource {

  private final DataSource target;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<String, String> examples = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicLong> connectionsByPort = new ConcurrentHashMap<>();

  DriverEvents(DataSource target) {
    this.target = target;
  }

  /**
   * How often the driver threw at {@code where} with this SQLState and vendor code.
   *
   * @param where "commit", "statement" or "connect"
   * @param sqlState the SQLState
   * @param vendorCode the vendor code
   * @return the count
   */
  long count(String where, String sqlState, int vendorCode) {
    AtomicLong n = counts.get(where + " " + sqlState + "/" + vendorCode);
    return n == null ? 0 : n.get();
  }

  /**
   * How often the driver threw at {@code where}.
   *
   * @param where "commit", "statement" or "connect"
   * @return the count
   */
  long count(String where) {
    long total = 0;
    for (Map.Entry<String, AtomicLong> e : counts.entrySet()) {
      if (e.getKey().startsWith(where + " ")) {
        total += e.getValue().get();
      }
    }
    return total;
  }

  /** @return how many physical connections the driver opened to each node, by SQL port */
  Map<Integer, Long> connectionsByPort() {
    Map<Integer, Long> m = new TreeMap<>();
    connectionsByPort.forEach((port, n) -> m.put(port, n.get()));
    return m;
  }

  /** @return one line per (where, SQLState/vendor code) with its count and an example message */
  String report() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, AtomicLong> e : new TreeMap<>(counts).entrySet()) {
      sb.append("  ").append(e.getKey()).append(" x").append(e.getValue().get()).append(": ")
          .append(examples.get(e.getKey())).append('\n');
    }
    return sb.length() == 0 ? "  (none)\n" : sb.toString();
  }

  private void record(String where, SQLException e) {
    String key = where + " " + e.getSQLState() + "/" + e.getErrorCode();
    counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    examples.putIfAbsent(key, e.getClass().getSimpleName() + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      return wrap(target.getConnection());
    } catch (SQLException e) {
      record("connect", e);
      throw e;
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    try {
      return wrap(target.getConnection(username, password));
    } catch (SQLException e) {
      record("connect", e);
      throw e;
    }
  }

  private Connection wrap(Connection c) throws SQLException {
    // which node the driver picked (once per physical connection, so not on any transaction's path)
    try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT @@port")) {
      rs.next();
      connectionsByPort.computeIfAbsent(rs.getInt(1), p -> new AtomicLong()).incrementAndGet();
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        new Handler(c, true));
  }

  /** Records failures of a connection's or statement's calls; wraps the statements a connection hands out. */
  private final class Handler implements InvocationHandler {
    private final Object target;
    private final boolean connection;

    Handler(Object target, boolean connection) {
      this.target = target;
      this.connection = connection;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
        return method.invoke(target, args);
      }
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException ite) {
        Throwable t = ite.getCause();
        if (t instanceof SQLException) {
          String name = method.getName();
          record(connection && name.equals("commit") ? "commit"
              : connection && name.equals("rollback") ? "rollback"
              : connection ? "connection" : "statement", (SQLException) t);
        }
        throw t;
      }
      if (connection && result instanceof Statement) {
        Class<?>[] interfaces = result instanceof java.sql.CallableStatement
            ? new Class<?>[] {java.sql.CallableStatement.class}
            : result instanceof java.sql.PreparedStatement ? new Class<?>[] {java.sql.PreparedStatement.class}
            : new Class<?>[] {Statement.class};
        return Proxy.newProxyInstance(Connection.class.getClassLoader(), interfaces, new Handler(result, false));
      }
      return result;
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return target.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return target.isWrapperFor(iface);
  }
}
