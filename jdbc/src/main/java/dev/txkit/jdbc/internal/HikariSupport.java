package dev.txkit.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import javax.sql.DataSource;

/** Everything that touches HikariCP, loaded only when HikariCP is on the class path. */
public final class HikariSupport {

  private static final boolean PRESENT = present();

  private HikariSupport() {
  }

  private static boolean present() {
    try {
      Class.forName("com.zaxxer.hikari.HikariDataSource", false, HikariSupport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Builds a pool for a JDBC URL.
   *
   * @param jdbcUrl the URL
   * @return the pool
   * @throws IllegalStateException if HikariCP is not on the class path
   */
  public static DataSource pool(String jdbcUrl) {
    if (!PRESENT) {
      throw new IllegalStateException("Transactions.create(jdbcUrl) builds a HikariCP pool, but HikariCP is not on "
          + "the class path. Add com.zaxxer:HikariCP to your dependencies, or pass your own DataSource to "
          + "Transactions.create(dataSource)");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("txkit");
    return new HikariDataSource(config);
  }

  /**
   * Removes a connection from its pool if the pool is HikariCP.
   *
   * @param dataSource the data source the connection came from
   * @param connection the connection
   * @return true if HikariCP evicted it
   */
  /**
   * The size of the pool behind a data source, where the pool tells it: HikariCP's maximum pool size, H2's
   * {@code JdbcConnectionPool}'s maximum connections.
   *
   * @param dataSource the data source
   * @return the size, or 0 when unknown
   */
  static int maximumPoolSize(DataSource dataSource) {
    if (PRESENT && dataSource instanceof HikariDataSource) {
      return ((HikariDataSource) dataSource).getMaximumPoolSize();
    }
    if (dataSource.getClass().getName().equals("org.h2.jdbcx.JdbcConnectionPool")) {
      try {
        // H2 is no dependency of txkit: ask by name
        return (int) dataSource.getClass().getMethod("getMaxConnections").invoke(dataSource);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return 0;
      }
    }
    return 0;
  }

  static boolean evict(DataSource dataSource, Connection connection) {
    if (PRESENT && dataSource instanceof HikariDataSource) {
      ((HikariDataSource) dataSource).evictConnection(connection);
      return true;
    }
    return false;
  }

  /**
   * The pool's name if the data source is a HikariCP pool whose connections start with autocommit off.
   *
   * @param dataSource the data source
   * @return the pool's name, or null
   */
  static @org.jspecify.annotations.Nullable String poolName(DataSource dataSource) {
    if (PRESENT && dataSource instanceof HikariDataSource && !((HikariDataSource) dataSource).isAutoCommit()) {
      String name = ((HikariDataSource) dataSource).getPoolName();
      return name == null ? "" : name;
    }
    return null;
  }

  /**
   * Closes the pool if it is HikariCP's or otherwise {@link AutoCloseable}.
   *
   * @param dataSource the pool
   * @throws Exception if closing fails
   */
  public static void close(DataSource dataSource) throws Exception {
    if (dataSource instanceof AutoCloseable) {
      ((AutoCloseable) dataSource).close();
    }
  }
}
