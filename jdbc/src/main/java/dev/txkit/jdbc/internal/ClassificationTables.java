package dev.txkit.jdbc.internal;

import static dev.txkit.FailureKind.CONNECTION_LOST;
import static dev.txkit.FailureKind.CONSTRAINT_VIOLATION;
import static dev.txkit.FailureKind.DEADLOCK;
import static dev.txkit.FailureKind.LOCK_NOT_AVAILABLE;
import static dev.txkit.FailureKind.LOCK_TIMEOUT;
import static dev.txkit.FailureKind.OUTCOME_UNKNOWN;
import static dev.txkit.FailureKind.QUERY_TIMEOUT;
import static dev.txkit.FailureKind.SERIALIZATION_FAILURE;
import static dev.txkit.FailureScope.STATEMENT;
import static dev.txkit.FailureScope.TRANSACTION;

import dev.txkit.FailureRule;
import dev.txkit.jdbc.Database;
import java.util.ArrayList;
import java.util.List;

/** The classification tables of FACTS.md section 1, per database, followed by generic SQLState rules. */
public final class ClassificationTables {

  private ClassificationTables() {
  }

  /** Rules that hold for every database, tried after the database's own. */
  static final List<FailureRule> GENERIC = List.of(
      FailureRule.ofSqlState("40001", SERIALIZATION_FAILURE, TRANSACTION, "serialization failure (SQL standard)"),
      FailureRule.ofSqlState("40P01", DEADLOCK, TRANSACTION, "deadlock detected"),
      FailureRule.ofSqlState("40*", SERIALIZATION_FAILURE, TRANSACTION, "transaction rollback (class 40)"),
      FailureRule.ofSqlState("08*", CONNECTION_LOST, TRANSACTION, "connection exception (class 08)"),
      FailureRule.ofSqlState("57014", QUERY_TIMEOUT, STATEMENT, "query cancelled"),
      FailureRule.ofSqlState("23*", CONSTRAINT_VIOLATION, STATEMENT, "integrity constraint violation (class 23)"));

  /**
   * The rules for a database, its own first, then the generic ones.
   *
   * @param db the database
   * @return the rules, in order
   */
  public static List<FailureRule> rulesFor(Database db) {
    List<FailureRule> rules = new ArrayList<>(own(db));
    rules.addAll(GENERIC);
    return rules;
  }

  /**
   * The rules specific to a database (without the generic ones).
   *
   * @param db the database
   * @return the rules
   */
  public static List<FailureRule> own(Database db) {
    switch (db) {
      case POSTGRESQL:
      case YUGABYTEDB:
        return POSTGRESQL;
      case COCKROACHDB:
        return COCKROACHDB;
      case MARIADB:
      case MYSQL:
        return MYSQL_FAMILY;
      case H2:
        return H2;
      default:
        return List.of();
    }
  }

  static final List<FailureRule> POSTGRESQL = List.of(
      FailureRule.ofSqlState("40001", SERIALIZATION_FAILURE, TRANSACTION, "could not serialize access"),
      FailureRule.ofSqlState("40P01", DEADLOCK, TRANSACTION, "deadlock detected"),
      FailureRule.ofSqlState("55P03", LOCK_NOT_AVAILABLE, STATEMENT,
          "lock not available (NOWAIT, lock_timeout); transaction is in failed state"),
      FailureRule.ofSqlState("57014", QUERY_TIMEOUT, STATEMENT,
          "statement timeout or cancel; transaction is in failed state"),
      FailureRule.ofSqlState("23505", CONSTRAINT_VIOLATION, STATEMENT,
          "unique violation; transaction is in failed state"),
      FailureRule.ofSqlState("23P01", CONSTRAINT_VIOLATION, STATEMENT,
          "exclusion violation; transaction is in failed state"),
      FailureRule.ofSqlState("23*", CONSTRAINT_VIOLATION, STATEMENT,
          "integrity constraint violation; transaction is in failed state"),
      FailureRule.ofSqlState("25P03", CONNECTION_LOST, TRANSACTION, "idle-in-transaction session timeout"),
      FailureRule.ofSqlState("25P04", CONNECTION_LOST, TRANSACTION, "transaction timeout (PostgreSQL 17)"),
      FailureRule.ofSqlState("57P01", CONNECTION_LOST, TRANSACTION, "admin shutdown (backend terminated)"),
      FailureRule.ofSqlState("57P02", CONNECTION_LOST, TRANSACTION, "crash shutdown"),
      FailureRule.ofSqlState("57P03", CONNECTION_LOST, TRANSACTION, "cannot connect now"),
      FailureRule.ofSqlState("08*", CONNECTION_LOST, TRANSACTION, "connection failure"));

  static final List<FailureRule> COCKROACHDB = List.of(
      FailureRule.ofSqlState("40001", SERIALIZATION_FAILURE, TRANSACTION, "restart transaction"),
      FailureRule.ofSqlState("40003", OUTCOME_UNKNOWN, TRANSACTION, "result is ambiguous"));

  static final List<FailureRule> MYSQL_FAMILY = List.of(
      FailureRule.ofVendorCode(null, 1213, DEADLOCK, TRANSACTION, "deadlock found when trying to get lock"),
      FailureRule.ofVendorCode(null, 1205, LOCK_TIMEOUT, STATEMENT,
          "lock wait timeout exceeded (statement only; innodb_rollback_on_timeout=OFF)"),
      FailureRule.ofVendorCode(null, 3572, LOCK_NOT_AVAILABLE, STATEMENT, "NOWAIT lock failure"),
      FailureRule.ofVendorCode(null, 1020, SERIALIZATION_FAILURE, TRANSACTION,
          "record has changed since last read (innodb_snapshot_isolation)"),
      FailureRule.ofVendorCode("40000", 3101, SERIALIZATION_FAILURE, TRANSACTION,
          "group replication rollback during commit"),
      FailureRule.ofVendorCode(null, 149, DEADLOCK, TRANSACTION, "Galera cluster deadlock"),
      FailureRule.ofVendorCode(null, 1062, CONSTRAINT_VIOLATION, STATEMENT, "duplicate entry"),
      FailureRule.ofSqlState("08*", CONNECTION_LOST, TRANSACTION, "connection failure"));

  static final List<FailureRule> H2 = List.of(
      FailureRule.ofVendorCode("40001", 40001, DEADLOCK, TRANSACTION,
          "deadlock or write conflict; connection stays usable"),
      FailureRule.ofVendorCode("HYT00", 50200, LOCK_TIMEOUT, STATEMENT, "lock timeout"),
      FailureRule.ofVendorCode(null, 90131, SERIALIZATION_FAILURE, STATEMENT, "concurrent update"),
      FailureRule.ofVendorCode(null, 90067, CONNECTION_LOST, TRANSACTION, "connection broken (server mode)"),
      FailureRule.ofVendorCode(null, 57014, QUERY_TIMEOUT, STATEMENT, "statement cancelled"));
}
