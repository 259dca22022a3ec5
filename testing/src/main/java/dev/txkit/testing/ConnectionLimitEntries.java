package dev.txkit.testing;

import static dev.txkit.FailureKind.OTHER;
import static dev.txkit.FailureKind.POOL_EXHAUSTED;
import static dev.txkit.testing.ServerEffect.CONNECTION_GONE;
import static dev.txkit.testing.ServerEffect.STATEMENT_ROLLED_BACK;

import dev.txkit.jdbc.Database;
import java.util.List;

/**
 * Failures that come before any transaction: a pool with no connection to hand out, a server that refuses
 * another connection ({@link ServerEffect#CONNECTION_GONE}: there is no connection), and a call the driver
 * refuses before sending it ({@link ServerEffect#STATEMENT_ROLLED_BACK}: nothing reached the server). Measured by {@code PoolExhaustionIT} and
 * {@code ParameterCountIT} in txkit-jdbc's integration tests (HikariCP 5.1, H2 2.3, pgjdbc 42.7, MariaDB
 * Connector/J 3.5), not by the catalogue's own.
 */
final class ConnectionLimitEntries {

  private static final String TRANSIENT_CONNECTION = "java.sql.SQLTransientConnectionException";
  private static final String SQL = "java.sql.SQLException";

  private ConnectionLimitEntries() {
  }

  /** What every database's catalogue has: the pools' own timeouts. */
  static void pools(Database db, List<Failure> out) {
    out.add(Catalogue.entry(db, "poolTimeout", POOL_EXHAUSTED, CONNECTION_GONE).thrown(TRANSIENT_CONNECTION)
        .codes(null, 0).message("txkit - Connection is not available, request timed out after 251ms (total=1, "
            + "active=1, idle=0, waiting=0)", "Connection is not available, request timed out")
        .about("HikariCP: no connection became free within connectionTimeout (measured by PoolExhaustionIT)")
        .build());
    if (db == Database.H2 || db == Database.OTHER) {
      out.add(Catalogue.entry(db, "h2PoolTimeout", POOL_EXHAUSTED, CONNECTION_GONE).thrown(SQL)
          .codes("08001", 8001).message("Login timeout", "Login timeout")
          .about("H2's JdbcConnectionPool: no connection became free within the login timeout (measured by "
              + "PoolExhaustionIT)").build());
    }
  }

  static void postgres(Database db, List<Failure> out) {
    out.add(Catalogue.entry(db, "tooManyConnections", POOL_EXHAUSTED, CONNECTION_GONE)
        .thrown("org.postgresql.util.PSQLException", SQL).codes("53300", 0)
        .message("FATAL: too many connections for role \"app\"", "too many connections")
        .about("at connect: max_connections, or a role's or database's CONNECTION LIMIT (measured by "
            + "PoolExhaustionIT)").build());
  }

  static void mysqlFamily(Database db, List<Failure> out) {
    out.add(Catalogue.entry(db, "tooManyConnections", POOL_EXHAUSTED, CONNECTION_GONE)
        .thrown("java.sql.SQLNonTransientConnectionException").codes("08004", 1040)
        .message("Too many connections", "Too many connections")
        .about("at connect: max_connections (from MariaDB's documentation, unverified here: producing it needs "
            + "SET GLOBAL)").build());
    out.add(Catalogue.entry(db, "maxUserConnections", POOL_EXHAUSTED, CONNECTION_GONE)
        .thrown("java.sql.SQLSyntaxErrorException").codes("42000", 1226)
        .message("User 'app' has exceeded the 'max_user_connections' resource (current value: 1)",
            "has exceeded the 'max_user_connections' resource")
        .about("at connect: the user's MAX_USER_CONNECTIONS (measured by PoolExhaustionIT)").build());
    if (db == Database.MARIADB) {
      out.add(Catalogue.entry(db, "parameterNotSet", OTHER, STATEMENT_ROLLED_BACK).thrown(TRANSIENT_CONNECTION)
          .codes("07004", 0).message("Parameter at position 2 is not set", "is not set")
          .about("a statement run with a parameter left unset: refused by the driver before it is sent, as a "
              + "SQLTransientConnectionException of class 07 (measured by ParameterCountIT)").build());
    }
  }

  /** The SQL standard's dynamic SQL error class, for any other database. */
  static void standard(Database db, List<Failure> out) {
    out.add(Catalogue.entry(db, "dynamicSqlError", OTHER, STATEMENT_ROLLED_BACK).thrown(SQL).codes("07001", 0)
        .message("wrong number of parameters", "wrong number of parameters")
        .about("SQL standard class 07 (dynamic SQL error); from the standard, unverified here").build());
  }
}
