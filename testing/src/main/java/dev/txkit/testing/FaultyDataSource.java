package dev.txkit.testing;

import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.internal.Hub;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that makes failures happen on purpose: it wraps a real data source and hands out JDK
 * proxies of every {@code java.sql} object (connection, statement, prepared and callable statement, result set)
 * that fail, pause or break the connection where its {@link Faults} say, and record every call in its
 * {@link Recorder}. The work reaches the real database, so a test can check what was really persisted.
 *
 * <p>Use it above a pool ({@code FaultyDataSource.wrap(hikariDataSource)}), or below HikariCP
 * ({@code hikariConfig.setDataSource(FaultyDataSource.wrap(driverDataSource))}) so that HikariCP's own eviction
 * and rollback-on-close paths run against the faults.
 *
 * <p>{@code unwrap(VendorConnection.class)} and similar hand out the driver's own objects: calls on them bypass
 * faults and the trace. Savepoints and database metadata are the driver's own objects too. Thread-safe.
 */
public final class FaultyDataSource implements DataSource {

  private final DataSource delegate;
  private final Faults faults;
  private final Recorder recorder;
  private final Hub hub;

  private FaultyDataSource(DataSource delegate) {
    this.delegate = delegate;
    this.recorder = new Recorder();
    this.faults = new Faults(recorder);
    this.hub = new Hub(delegate, faults.interceptor);
    recorder.attach(hub, faults);
  }

  /**
   * Wraps a data source. No fault is armed yet.
   *
   * @param dataSource the real data source
   * @return the faulty data source
   */
  public static FaultyDataSource wrap(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (dataSource instanceof FaultyDataSource) {
      throw new IllegalArgumentException("The data source is already a FaultyDataSource; use its faults()");
    }
    return new FaultyDataSource(dataSource);
  }

  /** @return the fault controller */
  public Faults faults() {
    return faults;
  }

  /** @return the call trace and checks */
  public Recorder recorder() {
    return recorder;
  }

  /** @return the state its proxies share (the trace's observers, the detected database) */
  Hub hub() {
    return hub;
  }

  /** @return the real data source (no faults, no trace), e.g. to check what was persisted */
  public DataSource delegate() {
    return delegate;
  }

  /**
   * A builder of txkit {@link Transactions} over this data source, with {@link Faults#listener()} registered
   * (so that attempt triggers and the recorder's transaction checks work).
   *
   * @return the builder
   */
  public Transactions.Builder transactions() {
    return Transactions.builder(this).listener(faults.listener());
  }

  /**
   * Takes a connection from the real data source, unless a fault at {@link Point#GET_CONNECTION} fires.
   *
   * @return a faulty connection
   * @throws SQLException what the real data source or a fault threw
   */
  @Override
  public Connection getConnection() throws SQLException {
    return hub.connect(null, null);
  }

  /**
   * As {@link #getConnection()}, with credentials.
   *
   * @param username the user
   * @param password the password
   * @return a faulty connection
   * @throws SQLException what the real data source or a fault threw
   */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return hub.connect(username, password);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  /**
   * Returns this for its own type, else the real data source's object (which bypasses faults).
   *
   * @param iface the interface
   * @return the object
   * @throws SQLException if neither is one
   */
  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return "FaultyDataSource[" + delegate + "]";
  }
}
