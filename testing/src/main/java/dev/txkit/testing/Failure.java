package dev.txkit.testing;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import dev.txkit.testing.internal.VendorExceptions;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the {@link Failures} catalogue: a failure as a database's driver reports it (exception class,
 * SQLState, vendor code, message), its {@link FailureKind}, and what the server does next
 * ({@link #serverEffect()}). Written by hand from measurements against the real servers and from the drivers'
 * source, never derived from txkit's classification tables; {@link #measured()} tells which entries the kit's
 * integration tests produce for real. Each {@link #get()} creates a new exception. Immutable and thread-safe.
 */
public final class Failure implements Supplier<SQLException> {

  private final Database database;
  private final String name;
  private final FailureKind kind;
  private final ServerEffect effect;
  private final String driverClass;
  private final String standardClass;
  private final @Nullable String sqlState;
  private final int vendorCode;
  private final String message;
  private final String messageContains;
  private final @Nullable String pgSeverity;
  private final @Nullable String pgDetail;
  private final boolean measured;
  private final String description;

  Failure(Database database, String name, FailureKind kind, ServerEffect effect, String driverClass,
      String standardClass, @Nullable String sqlState, int vendorCode, String message, String messageContains,
      @Nullable String pgSeverity, @Nullable String pgDetail, boolean measured, String description) {
    this.database = Objects.requireNonNull(database, "database");
    this.name = Objects.requireNonNull(name, "name");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.effect = Objects.requireNonNull(effect, "effect");
    this.driverClass = Objects.requireNonNull(driverClass, "driverClass");
    this.standardClass = Objects.requireNonNull(standardClass, "standardClass");
    this.sqlState = sqlState;
    this.vendorCode = vendorCode;
    this.message = Objects.requireNonNull(message, "message");
    this.messageContains = Objects.requireNonNull(messageContains, "messageContains");
    this.pgSeverity = pgSeverity;
    this.pgDetail = pgDetail;
    this.measured = measured;
    this.description = Objects.requireNonNull(description, "description");
    if (!message.toLowerCase(Locale.ROOT).contains(messageContains.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(database + " " + name + ": the message '" + message
          + "' does not contain its own fragment '" + messageContains + "'");
    }
  }

  /** @return the database whose driver reports this failure */
  public Database database() {
    return database;
  }

  /** @return the entry's name in its catalogue, e.g. {@code deadlock} or {@code lockNotAvailable} */
  public String name() {
    return name;
  }

  /**
   * The kind of failure, as the exception reports it: where a database reports two different events with the
   * same exception, the kind is the one the exception says (MariaDB's {@code NOWAIT} failure is a lock wait
   * timeout, H2's write conflict a deadlock), since nobody can tell them apart.
   *
   * @return the kind
   */
  public FailureKind kind() {
    return kind;
  }

  /** @return what the server does next: the statement or the transaction rolled back, or the connection gone */
  public ServerEffect serverEffect() {
    return effect;
  }

  /**
   * What the server has already undone when the failure arrives, as txkit must classify it: the scope
   * {@link ServerEffect#scope(FailureKind)} gives this entry's kind and effect.
   *
   * @return the scope
   */
  public FailureScope scope() {
    return effect.scope(kind);
  }

  /**
   * This entry as a classification rule (SQLState, vendor code when it is not 0, the message fragment, and the
   * entry's kind and scope), for example to add to a classifier. Built from the entry, not taken from txkit's
   * tables; txkit's own tests check that the tables classify the entry the same way.
   *
   * @return the rule
   */
  public FailureRule rule() {
    return new FailureRule(sqlState, vendorCode == 0 ? null : vendorCode, messageContains,
        new Classification(kind, scope()), description);
  }

  /** @return the SQLState, or null for a driver that reports none (SQLite, MySQL's client-side timeout) */
  public @Nullable String sqlState() {
    return sqlState;
  }

  /** @return the vendor error code (0 where the driver reports none, as pgjdbc) */
  public int vendorCode() {
    return vendorCode;
  }

  /** @return a sample message, as the driver words it */
  public String message() {
    return message;
  }

  /**
   * The part of the message that is the same every time (without connection ids, table names and values);
   * {@link #matches} looks for it, ignoring case.
   *
   * @return the fragment
   */
  public String messageContains() {
    return messageContains;
  }

  /**
   * The name of the class the driver throws. {@link #get()} creates an instance of it when the driver is on the
   * class path, else of {@link #standardClass()}.
   *
   * @return the class name
   */
  public String driverClass() {
    return driverClass;
  }

  /** @return the closest {@code java.sql} class, used when the driver is not on the class path */
  public String standardClass() {
    return standardClass;
  }

  /**
   * Whether the kit's integration tests produce this failure for real, on the database product and driver
   * version named in {@code docs/databases.md}, and checks both the exception and the server effect. The other
   * entries come from the drivers' source and the databases' documentation and are unverified here.
   *
   * @return true if measured
   */
  public boolean measured() {
    return measured;
  }

  /** @return what the failure is, when it happens and where the entry comes from */
  public String description() {
    return description;
  }

  /**
   * Whether an exception is this failure: the same class (the driver's, or the standard one the kit falls back
   * to), SQLState and vendor code, and a message containing {@link #messageContains()}. Only the exception
   * itself is examined; {@link Failures#identify} walks chains.
   *
   * @param e the exception
   * @return true if it matches
   * @throws NullPointerException if {@code e} is null
   */
  public boolean matches(SQLException e) {
    String cls = e.getClass().getName();
    if (!cls.equals(driverClass) && !cls.equals(standardClass)) {
      return false;
    }
    if (!Objects.equals(sqlState, e.getSQLState()) || vendorCode != e.getErrorCode()) {
      return false;
    }
    String m = e.getMessage();
    return m != null && m.toLowerCase(Locale.ROOT).contains(messageContains.toLowerCase(Locale.ROOT));
  }

  /**
   * Creates the exception.
   *
   * @return a new exception
   */
  @Override
  public SQLException get() {
    return VendorExceptions.create(driverClass, standardClass, message, sqlState, vendorCode, pgSeverity,
        pgDetail);
  }

  @Override
  public String toString() {
    return database + " " + name + " (" + sqlState + (vendorCode != 0 ? "/" + vendorCode : "") + ", " + kind + ")";
  }
}
