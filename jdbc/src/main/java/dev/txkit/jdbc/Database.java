package dev.txkit.jdbc;

import dev.txkit.FailureClassifier;
import dev.txkit.FailureRule;
import dev.txkit.jdbc.internal.ClassificationTables;
import java.util.List;
import java.util.Locale;

/**
 * The database products txkit knows, each with its classification table (the rows of FACTS.md section 1).
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

  private volatile FailureClassifier classifier;

  /**
   * Detects the database from the metadata's product name and version.
   *
   * @param productName {@code DatabaseMetaData.getDatabaseProductName()}
   * @param productVersion {@code DatabaseMetaData.getDatabaseProductVersion()}, may be null
   * @return the database, {@link #OTHER} if unknown
   */
  public static Database detect(String productName, String productVersion) {
    String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
    String version = productVersion == null ? "" : productVersion.toLowerCase(Locale.ROOT);
    if (name.contains("cockroach") || version.contains("cockroach")) {
      return COCKROACHDB;
    }
    if (version.contains("yb") && name.contains("postgres")) {
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
    if (name.contains("microsoft sql server") || name.contains("sql server")) {
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
    FailureClassifier c = classifier;
    if (c == null) {
      c = FailureClassifier.of(ClassificationTables.rulesFor(this));
      classifier = c;
    }
    return c;
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
