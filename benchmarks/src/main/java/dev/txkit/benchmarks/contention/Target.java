package dev.txkit.benchmarks.contention;

import dev.txkit.Isolation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * A database and the isolation level the contention harness runs it at. The URLs come from
 * {@code TXKIT_PG_URL} and {@code TXKIT_MARIADB_URL} (defaults: the {@code test} database on 127.0.0.1), as in
 * the project's tests.
 */
public enum Target {
  /** H2 in this JVM's memory, at its default READ COMMITTED. */
  H2("h2", "H2 2.x in memory", Isolation.READ_COMMITTED),
  /** PostgreSQL at SERIALIZABLE (SSI). */
  PG_SERIALIZABLE("pg-serializable", "PostgreSQL", Isolation.SERIALIZABLE),
  /** PostgreSQL at READ COMMITTED, its default. */
  PG_READ_COMMITTED("pg-read-committed", "PostgreSQL", Isolation.READ_COMMITTED),
  /** MariaDB (InnoDB) at REPEATABLE READ, its default. */
  MARIADB_REPEATABLE_READ("mariadb-repeatable-read", "MariaDB", Isolation.REPEATABLE_READ);

  private final String id;
  private final String product;
  private final Isolation isolation;

  Target(String id, String product, Isolation isolation) {
    this.id = id;
    this.product = product;
    this.isolation = isolation;
  }

  /** @return the name used on the command line and in the report */
  public String id() {
    return id;
  }

  /** @return the isolation every strategy runs at */
  public Isolation isolation() {
    return isolation;
  }

  /** @return e.g. "PostgreSQL, SERIALIZABLE" */
  public String label() {
    return product + ", " + isolation.name().replace('_', ' ');
  }

  /** @return whether this is one of the PostgreSQL targets */
  public boolean isPostgres() {
    return this == PG_SERIALIZABLE || this == PG_READ_COMMITTED;
  }

  /** @return whether this is the MariaDB target */
  public boolean isMariaDb() {
    return this == MARIADB_REPEATABLE_READ;
  }

  /** @return the JDBC URL of this target's database */
  public String url() {
    if (isPostgres()) {
      return env("TXKIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    }
    if (isMariaDb()) {
      return env("TXKIT_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test?user=root");
    }
    return "jdbc:h2:mem:contention;DB_CLOSE_DELAY=-1";
  }

  /**
   * The server's deadlock counter: PostgreSQL's {@code pg_stat_database.deadlocks} of the current database,
   * MariaDB's server-wide {@code Innodb_deadlocks}; H2 has none.
   *
   * @param c a connection to the target (not one of the measured pool's)
   * @return the counter, or -1 where the database has none
   * @throws SQLException if the query fails
   */
  public long deadlockCounter(Connection c) throws SQLException {
    String sql;
    if (isPostgres()) {
      sql = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()";
    } else if (isMariaDb()) {
      sql = "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_DEADLOCKS'";
    } else {
      return -1;
    }
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /**
   * Finds a target by its {@link #id()}.
   *
   * @param id e.g. {@code pg-serializable}
   * @return the target
   * @throws IllegalArgumentException naming the known targets if there is none of that name
   */
  public static Target of(String id) {
    for (Target t : values()) {
      if (t.id.equals(id.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException("Unknown target '" + id + "'; use one of h2, pg-serializable, "
        + "pg-read-committed, mariadb-repeatable-read");
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
