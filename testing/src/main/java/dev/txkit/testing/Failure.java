package dev.txkit.testing;

import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import dev.txkit.testing.internal.VendorExceptions;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A vendor-accurate failure from the {@link Failures} catalogue: the exception class, SQLState, vendor code and
 * message a database's driver reports, together with the classification rule of txkit's jdbc module that
 * recognises it. Each {@link #get()} creates a new exception. Immutable and thread-safe.
 */
public final class Failure implements Supplier<SQLException> {

  private final Database database;
  private final String name;
  private final FailureRule rule;
  private final String driverClass;
  private final String standardClass;
  private final String sqlState;
  private final int vendorCode;
  private final String message;
  private final boolean pgServerError;
  private final @Nullable String pgDetail;

  Failure(Database database, String name, FailureRule rule, String driverClass, String standardClass,
      String sqlState, int vendorCode, String message, boolean pgServerError, @Nullable String pgDetail) {
    this.database = database;
    this.name = name;
    this.rule = rule;
    this.driverClass = driverClass;
    this.standardClass = standardClass;
    this.sqlState = sqlState;
    this.vendorCode = vendorCode;
    this.message = message;
    this.pgServerError = pgServerError;
    this.pgDetail = pgDetail;
  }

  /** @return the database whose driver reports this failure */
  public Database database() {
    return database;
  }

  /** @return the kind txkit classifies it as (from {@link #rule()}) */
  public FailureKind kind() {
    return rule.classification().kind();
  }

  /** @return what the server has already undone when it arrives (from {@link #rule()}) */
  public FailureScope scope() {
    return rule.classification().scope();
  }

  /** @return the classification rule of {@code Database#rules()} that recognises it */
  public FailureRule rule() {
    return rule;
  }

  /** @return the SQLState */
  public String sqlState() {
    return sqlState;
  }

  /** @return the vendor error code */
  public int vendorCode() {
    return vendorCode;
  }

  /**
   * The name of the class the driver throws. {@link #get()} creates an instance of it when the driver is on the
   * class path, else of the closest {@code java.sql} class.
   *
   * @return the class name
   */
  public String driverClass() {
    return driverClass;
  }

  /**
   * Creates the exception.
   *
   * @return a new exception
   */
  @Override
  public SQLException get() {
    return VendorExceptions.create(driverClass, standardClass, message, sqlState, vendorCode, pgServerError,
        pgDetail);
  }

  @Override
  public String toString() {
    return database + " " + name + " (" + sqlState + (vendorCode != 0 ? "/" + vendorCode : "") + ", "
        + rule.classification().kind() + ")";
  }
}
