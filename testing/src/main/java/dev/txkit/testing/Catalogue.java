package dev.txkit.testing;

import dev.txkit.FailureKind;
import dev.txkit.jdbc.Database;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The entries of every database's {@link Failures} catalogue, built once. The entries are written by hand, one
 * class per driver family ({@link PostgresEntries}, {@link MysqlEntries}, {@link H2Entries},
 * {@link DocumentedEntries}, {@link ConnectionLimitEntries}); nothing here reads txkit's classification tables.
 */
final class Catalogue {

  private static final Map<Database, List<Failure>> ENTRIES = new EnumMap<>(Database.class);

  static {
    for (Database db : Database.values()) {
      List<Failure> list = new ArrayList<>();
      switch (db) {
        case POSTGRESQL:
        case COCKROACHDB:
        case YUGABYTEDB:
          PostgresEntries.add(db, list);
          ConnectionLimitEntries.postgres(db, list);
          break;
        case MARIADB:
          MysqlEntries.mariadb(list);
          ConnectionLimitEntries.mysqlFamily(db, list);
          break;
        case MYSQL:
          MysqlEntries.mysql(list);
          ConnectionLimitEntries.mysqlFamily(db, list);
          break;
        case H2:
          H2Entries.add(list);
          break;
        default:
          DocumentedEntries.add(db, list);
          ConnectionLimitEntries.standard(db, list);
          break;
      }
      ConnectionLimitEntries.pools(db, list);
      ENTRIES.put(db, List.copyOf(list));
    }
  }

  private Catalogue() {
  }

  /** @return the entries of a database, in the order {@link Failures} searches them */
  static List<Failure> of(Database db) {
    return java.util.Objects.requireNonNull(ENTRIES.get(db), "every database has a catalogue");
  }

  /** Starts an entry. */
  static Entry entry(Database db, String name, FailureKind kind, ServerEffect effect) {
    return new Entry(db, name, kind, effect);
  }

  /** An entry being written: the exception's class and codes, a sample message, and where it comes from. */
  static final class Entry {
    private final Database db;
    private final String name;
    private final FailureKind kind;
    private final ServerEffect effect;
    private String driverClass = "java.sql.SQLException";
    private String standardClass = "java.sql.SQLException";
    private @Nullable String sqlState;
    private int code;
    private String message = "";
    private String contains = "";
    private @Nullable String pgSeverity;
    private @Nullable String pgDetail;
    private boolean measured;
    private String description = "";

    private Entry(Database db, String name, FailureKind kind, ServerEffect effect) {
      this.db = db;
      this.name = name;
      this.kind = kind;
      this.effect = effect;
    }

    /** The driver's class and the {@code java.sql} class to fall back to. */
    Entry thrown(String driver, String standard) {
      this.driverClass = driver;
      this.standardClass = standard;
      return this;
    }

    /** A {@code java.sql} class that the driver itself throws. */
    Entry thrown(String standard) {
      return thrown(standard, standard);
    }

    /** SQLState and vendor code. */
    Entry codes(@Nullable String state, int vendorCode) {
      this.sqlState = state;
      this.code = vendorCode;
      return this;
    }

    /** A pgjdbc error sent by the server with a severity, optionally with a detail line. */
    Entry server(String severity, @Nullable String detail) {
      this.pgSeverity = severity;
      this.pgDetail = detail;
      return this;
    }

    /** A sample message and the part of it that is always there. */
    Entry message(String sample, String fragment) {
      this.message = sample;
      this.contains = fragment;
      return this;
    }

    /** Produced for real by the kit's integration test. */
    Entry measured(boolean yes) {
      this.measured = yes;
      return this;
    }

    /** What it is and where the entry comes from. */
    Entry about(String text) {
      this.description = text;
      return this;
    }

    Failure build() {
      return new Failure(db, name, kind, effect, driverClass, standardClass, sqlState, code, message, contains,
          pgSeverity, pgDetail, measured, description);
    }
  }
}
