package dev.txkit.testing;

import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The catalogue of vendor-accurate failures of one database, for {@link Fault#fail}:
 * {@code Failures.postgres().deadlock()}.
 *
 * <p>Each entry ({@link Failure}) is written by hand from measurements against the real servers and from the
 * drivers' source: the driver's exception class, SQLState, vendor code and message, the failure's kind, and
 * what the server does next ({@link Failure#serverEffect()}). Nothing here asks txkit's classifier; it is the
 * other way round: txkit's classification tables are tested against this catalogue, and the kit's emulation of
 * the server and the {@link Recorder}'s checks read the entries' server effects. PostgreSQL, MariaDB and H2
 * entries are produced for real by the kit's integration tests ({@link Failure#measured()}); the drivers and
 * versions are listed in {@code docs/databases.md}. Immutable and thread-safe.
 */
public final class Failures {

  /** The most exceptions {@link #identify} examines in one failure's cause and next-exception chains. */
  private static final int MAX_CHAIN = 32;

  private final Database database;
  private final List<Failure> entries;

  private Failures(Database database, List<Failure> entries) {
    this.database = database;
    this.entries = entries;
  }

  /** @return PostgreSQL's failures, as pgjdbc reports them */
  public static Failures postgres() {
    return of(Database.POSTGRESQL);
  }

  /** @return MariaDB's failures, as MariaDB Connector/J 3 reports them */
  public static Failures mariadb() {
    return of(Database.MARIADB);
  }

  /** @return MySQL's failures, as MySQL Connector/J 8 reports them */
  public static Failures mysql() {
    return of(Database.MYSQL);
  }

  /** @return H2 2.x's failures */
  public static Failures h2() {
    return of(Database.H2);
  }

  /** @return Oracle's failures, as ojdbc reports them */
  public static Failures oracle() {
    return of(Database.ORACLE);
  }

  /** @return SQL Server's failures, as mssql-jdbc reports them */
  public static Failures sqlServer() {
    return of(Database.SQL_SERVER);
  }

  /** @return CockroachDB's failures, as pgjdbc reports them */
  public static Failures cockroach() {
    return of(Database.COCKROACHDB);
  }

  /**
   * The catalogue of any database; for {@link Database#OTHER}, the SQL standard's codes.
   *
   * @param database the database
   * @return its catalogue
   * @throws NullPointerException if {@code database} is null
   */
  public static Failures of(Database database) {
    Objects.requireNonNull(database, "database");
    return new Failures(database, Catalogue.of(database));
  }

  /** @return the database of this catalogue */
  public Database database() {
    return database;
  }

  /** @return every entry, in the order {@link #of(FailureKind)} and {@link #identify} search them */
  public List<Failure> all() {
    return entries;
  }

  /** @return a deadlock (the victim's transaction is rolled back) */
  public Failure deadlock() {
    return named("deadlock", FailureKind.DEADLOCK);
  }

  /**
   * @return a serialization failure (on H2 2.3 a write conflict, which H2 reports exactly as a deadlock, so its
   *     kind is {@link FailureKind#DEADLOCK})
   */
  public Failure serializationFailure() {
    return named("serializationFailure", FailureKind.SERIALIZATION_FAILURE);
  }

  /**
   * @return a lock wait timeout (PostgreSQL's {@code lock_timeout} is 55P03, which txkit classifies as lock not
   *     available)
   */
  public Failure lockTimeout() {
    return named("lockTimeout", FailureKind.LOCK_TIMEOUT);
  }

  /** @return a lock that could not be taken at once ({@code NOWAIT}) */
  public Failure lockNotAvailable() {
    return named("lockNotAvailable", FailureKind.LOCK_NOT_AVAILABLE);
  }

  /** @return a lost connection, as the driver reports it when the socket breaks */
  public Failure connectionLost() {
    return named("connectionLost", FailureKind.CONNECTION_LOST);
  }

  /** @return what the driver reports on a connection that is already closed or broken */
  public Failure connectionClosed() {
    return named("connectionClosed", FailureKind.CONNECTION_LOST);
  }

  /** @return a statement timeout or cancel */
  public Failure queryTimeout() {
    return named("queryTimeout", FailureKind.QUERY_TIMEOUT);
  }

  /** @return a unique (primary key) violation */
  public Failure uniqueViolation() {
    return named("uniqueViolation", FailureKind.CONSTRAINT_VIOLATION);
  }

  /** @return the database's own "outcome unknown" report (only CockroachDB has one: 40003) */
  public Failure outcomeUnknown() {
    return named("outcomeUnknown", FailureKind.OUTCOME_UNKNOWN);
  }

  /**
   * PostgreSQL's 25P02, what every statement of a transaction in the aborted state gets.
   *
   * @return the failure
   * @throws IllegalArgumentException if the database is not in the PostgreSQL family
   */
  public Failure inFailedTransaction() {
    if (!database.isPostgresFamily()) {
      throw new IllegalArgumentException(database + " has no aborted transaction state; only PostgreSQL does");
    }
    return named("inFailedTransaction", FailureKind.OTHER);
  }

  /**
   * The first entry of a kind.
   *
   * @param kind the kind
   * @return the failure
   * @throws IllegalArgumentException if the catalogue has no entry of that kind
   */
  public Failure of(FailureKind kind) {
    Objects.requireNonNull(kind, "kind");
    for (Failure f : entries) {
      if (f.kind() == kind) {
        return f;
      }
    }
    throw unknown(kind);
  }

  /**
   * The entry a failure is: the first exception in its chain (itself, its next exceptions, its causes, at most
   * 32 exceptions) that an entry {@link Failure#matches}, preferring one whose entry is transaction scope, as a
   * deadlock inside a batch that also hit a duplicate key. This tells what the server did with a failure that
   * a real server threw, without asking txkit's classifier.
   *
   * @param failure any throwable
   * @return the entry, or empty if no exception in the chain is one this catalogue knows
   * @throws NullPointerException if {@code failure} is null
   */
  public Optional<Failure> identify(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    Failure first = null;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> pending = new ArrayDeque<>();
    pending.add(failure);
    while (!pending.isEmpty() && seen.size() < MAX_CHAIN) {
      Throwable t = pending.removeFirst();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException) {
        SQLException e = (SQLException) t;
        for (Failure f : entries) {
          if (f.matches(e)) {
            if (f.scope() == FailureScope.TRANSACTION) {
              return Optional.of(f);
            }
            if (first == null) {
              first = f;
            }
            break;
          }
        }
        if (e.getNextException() != null) {
          pending.add(e.getNextException());
        }
      }
      if (t.getCause() != null) {
        pending.add(t.getCause());
      }
    }
    return Optional.ofNullable(first);
  }

  private Failure named(String name, FailureKind kind) {
    for (Failure f : entries) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw unknown(kind);
  }

  private IllegalArgumentException unknown(FailureKind kind) {
    return new IllegalArgumentException(database + " reports no failure of kind " + kind + ": the kit's catalogue "
        + "has no such entry for it (see Failures.of(Database).all())" + (kind == FailureKind.OUTCOME_UNKNOWN
        ? ". Make a commit's outcome unknown with Fault.at(Point.COMMIT_AFTER).dropConnection()" : ""));
  }

  @Override
  public String toString() {
    return "Failures[" + database + "]";
  }
}
