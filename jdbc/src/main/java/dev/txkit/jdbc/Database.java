package dev.txkit.jdbc;

import dev.txkit.FailureClassifier;
import dev.txkit.FailureRule;
import dev.txkit.jdbc.internal.ClassificationTables;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The database products txkit knows, each with its classification table (see docs/databases.md).
 * Detected once per {@link Transactions} from {@link java.sql.DatabaseMetaData}.
 */
public enum Database {
  /** PostgreSQL. */
  POSTGRESQL,
  /** MariaDB. */
  MARIADB,
  /** MySQL. */
  MYSQL,
  /** H2 2.x. */
  H2,
  /** Oracle Database. */
  ORACLE,
  /** Microsoft SQL Server. */
  SQL_SERVER,
  /** IBM Db2. */
  DB2,
  /** SQLite (xerial driver). */
  SQLITE,
  /** CockroachDB (speaks the PostgreSQL protocol). */
  COCKROACHDB,
  /** YugabyteDB YSQL (speaks the PostgreSQL protocol). */
  YUGABYTEDB,
  /** Anything else: only the generic SQLState rules apply. */
  OTHER;

  /**
   * Detects the database behind a connection, once per {@link Transactions}: from the metadata's product name
   * and version, and, when those say PostgreSQL, from {@code SELECT version()}, because pgjdbc reports
   * CockroachDB as "PostgreSQL" version "13.0.0" and only {@code version()} names it. The query runs only on
   * the PostgreSQL protocol; if it opened a transaction (autocommit off), that transaction is rolled back.
   *
   * @param connection an open connection, in no transaction of the caller's
   * @return the database, {@link #OTHER} if unknown
   * @throws SQLException if the metadata or the version query fails
   * @throws NullPointerException if {@code connection} is null
   */
  public static Database detect(Connection connection) throws SQLException {
    DatabaseMetaData md = connection.getMetaData();
    Database db = detect(md.getDatabaseProductName(), md.getDatabaseProductVersion());
    if (db != POSTGRESQL) {
      return db;
    }
    String version;
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
      version = rs.next() ? rs.getString(1) : null;
    } finally {
      if (!connection.getAutoCommit()) {
        connection.rollback();
      }
    }
    return detect(md.getDatabaseProductName(), version);
  }

  /**
   * Detects the database from a product name and version. Recognises what the drivers report:
   * "PostgreSQL" (pgjdbc, also for YugabyteDB, whose version contains "-YB-", and for CockroachDB, whose
   * {@code version()} starts with "CockroachDB"), "MariaDB" (MariaDB Connector/J against MariaDB; MySQL
   * Connector/J says "MySQL" with a version containing "MariaDB"), "MySQL", "H2", "Oracle", "Microsoft SQL
   * Server", "DB2/LINUXX8664" and the other "DB2..." names of IBM's drivers, "SQLite".
   *
   * @param productName {@code DatabaseMetaData.getDatabaseProductName()}, may be null
   * @param productVersion {@code DatabaseMetaData.getDatabaseProductVersion()} or PostgreSQL's
   *     {@code version()}, may be null
   * @return the database, {@link #OTHER} if unknown
   */
  public static Database detect(@Nullable String productName, @Nullable String productVersion) {
    String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
    String version = productVersion == null ? "" : productVersion.toLowerCase(Locale.ROOT);
    if (name.contains("cockroach") || version.contains("cockroach")) {
      return COCKROACHDB;
    }
    if (name.contains("postgres") && (version.contains("-yb-") || name.contains("yugabyte"))) {
      return YUGABYTEDB;
    }
    if (name.contains("postgres")) {
      return POSTGRESQL;
    }
    if (name.contains("mariadb") || version.contains("mariadb")) {
      return MARIADB;
    }
    if (name.contains("mysql")) {
      return MYSQL;
    }
    if (name.equals("h2")) {
      return H2;
    }
    if (name.contains("oracle")) {
      return ORACLE;
    }
    if (name.contains("sql server")) {
      return SQL_SERVER;
    }
    if (name.startsWith("db2")) {
      return DB2;
    }
    if (name.contains("sqlite")) {
      return SQLITE;
    }
    return OTHER;
  }

  /**
   * This database's classification rules followed by the generic SQLState rules, in the order they are tried.
   *
   * @return an unmodifiable list
   */
  public List<FailureRule> rules() {
    return classifier().rules();
  }

  /**
   * The classifier for this database's failures.
   *
   * @return the classifier
   */
  public FailureClassifier classifier() {
    return java.util.Objects.requireNonNull(Classifiers.ALL.get(this));
  }

  /** One classifier per database, built when first asked for (not while the enum initializes). */
  private static final class Classifiers {
    static final java.util.Map<Database, FailureClassifier> ALL = all();

    private static java.util.Map<Database, FailureClassifier> all() {
      java.util.EnumMap<Database, FailureClassifier> m = new java.util.EnumMap<>(Database.class);
      for (Database db : values()) {
        m.put(db, FailureClassifier.of(ClassificationTables.rulesFor(db)));
      }
      return java.util.Collections.unmodifiableMap(m);
    }
  }

  /** @return whether the database speaks PostgreSQL's dialect (PostgreSQL, CockroachDB, YugabyteDB) */
  public boolean isPostgresFamily() {
    return this == POSTGRESQL || this == COCKROACHDB || this == YUGABYTEDB;
  }

  /** @return whether the database speaks MySQL's dialect (MariaDB, MySQL) */
  public boolean isMysqlFamily() {
    return this == MARIADB || this == MYSQL;
  }
}
