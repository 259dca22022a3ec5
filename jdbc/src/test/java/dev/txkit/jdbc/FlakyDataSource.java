package dev.txkit.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source over a real one that makes one chosen call fail the way a driver does: the next data-changing
 * statement fails before it runs (as a deadlock victim's would), or the next commit goes through and then its reply
 * is lost. For the figures of retried and unknown-outcome transactions without the test kit (which depends on this
 * module).
 */
final class FlakyDataSource implements DataSource {

  private final DataSource target;
  private final AtomicReference<SQLException> nextStatement = new AtomicReference<>();
  private final AtomicReference<SQLException> nextCommit = new AtomicReference<>();

  FlakyDataSource(DataSource target) {
    this.target = target;
  }

  /** The next executeUpdate fails with {@code e} before it runs. */
  void failNextUpdate(SQLException e) {
    nextStatement.set(e);
  }

  /** The next commit commits, then throws {@code e} as if its reply was lost. */
  void loseNextCommitReply(SQLException e) {
    nextCommit.set(e);
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = target.getConnection();
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
        (p, m, args) -> {
          if (m.getName().equals("commit")) {
            SQLException e = nextCommit.getAndSet(null);
            c.commit();
            if (e != null) {
              throw e;
            }
            return null;
          }
          Object r = invoke(c, m, args);
          if (r instanceof Statement && m.getName().equals("prepareStatement")) {
            Statement st = (Statement) r;
            return Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {java.sql.PreparedStatement.class}, (sp, sm, sargs) -> {
                  if (sm.getName().equals("executeUpdate")) {
                    SQLException e = nextStatement.getAndSet(null);
                    if (e != null) {
                      throw e;
                    }
                  }
                  return invoke(st, sm, sargs);
                });
          }
          return r;
        });
  }

  private static Object invoke(Object on, java.lang.reflect.Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(on, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException();
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
