package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransactionRollbackException;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The catalogue is vendor-accurate and txkit's classification tables agree with it (every entry of every
 * database: {@link CatalogueTest}).
 */
class FailuresTest {

  private static final List<Function<Failures, Failure>> KINDS = List.of(Failures::deadlock,
      Failures::serializationFailure, Failures::lockTimeout, Failures::lockNotAvailable, Failures::connectionLost,
      Failures::connectionClosed, Failures::queryTimeout, Failures::uniqueViolation, Failures::outcomeUnknown);

  @Test
  void everyFailureIsClassifiedByItsDatabaseAsItsRuleSays() {
    int checked = 0;
    for (Failures catalogue : List.of(Failures.postgres(), Failures.mariadb(), Failures.mysql(), Failures.h2(),
        Failures.oracle(), Failures.sqlServer(), Failures.cockroach())) {
      for (Function<Failures, Failure> kind : KINDS) {
        Failure failure;
        try {
          failure = kind.apply(catalogue);
        } catch (IllegalArgumentException unsupported) {
          assertTrue(unsupported.getMessage().contains(catalogue.database().toString()), unsupported.getMessage());
          continue;
        }
        SQLException e = failure.get();
        assertNotSame(e, failure.get(), "a new exception each time");
        assertEquals(failure.sqlState(), e.getSQLState(), failure.toString());
        assertEquals(failure.vendorCode(), e.getErrorCode(), failure.toString());
        Classification c = catalogue.database().classifier().classify(e);
        assertEquals(failure.rule().classification(), c, failure.toString());
        checked++;
      }
    }
    assertTrue(checked > 40, "checked " + checked);
  }

  @Test
  void eachFailureIsOfTheKindItIsNamedFor() {
    List<String> mismatches = new java.util.ArrayList<>();
    List<FailureKind> expected = List.of(FailureKind.DEADLOCK, FailureKind.SERIALIZATION_FAILURE,
        FailureKind.LOCK_TIMEOUT, FailureKind.LOCK_NOT_AVAILABLE, FailureKind.CONNECTION_LOST,
        FailureKind.CONNECTION_LOST, FailureKind.QUERY_TIMEOUT, FailureKind.CONSTRAINT_VIOLATION,
        FailureKind.OUTCOME_UNKNOWN);
    for (Database db : Database.values()) {
      for (int i = 0; i < KINDS.size(); i++) {
        try {
          Failure failure = KINDS.get(i).apply(Failures.of(db));
          if (failure.kind() != expected.get(i)) {
            mismatches.add(failure + " for " + expected.get(i));
          }
        } catch (IllegalArgumentException unsupported) {
          // the database reports no such failure
        }
      }
    }
    // measured on MariaDB 10.11: NOWAIT fails with the lock wait timeout 1205; measured on H2 2.3: a write
    // conflict under REPEATABLE READ fails with exactly the deadlock's exception (H2CatalogueIT)
    assertEquals(List.of("MARIADB lockNotAvailable (HY000/1205, LOCK_TIMEOUT) for LOCK_NOT_AVAILABLE",
        "H2 serializationFailure (40001/40001, DEADLOCK) for SERIALIZATION_FAILURE"), mismatches);
  }

  @Test
  void postgresFailuresArePgjdbcsOwnClassWithTheServerMessage() {
    SQLException deadlock = Failures.postgres().deadlock().get();
    assertEquals("org.postgresql.util.PSQLException", deadlock.getClass().getName());
    assertEquals("40P01", deadlock.getSQLState());
    assertTrue(deadlock.getMessage().startsWith("ERROR: deadlock detected"), deadlock.getMessage());
    assertEquals(FailureKind.DEADLOCK, Failures.postgres().deadlock().kind());
    assertEquals(FailureScope.TRANSACTION, Failures.postgres().deadlock().scope());
    SQLException lost = Failures.postgres().connectionLost().get();
    assertEquals("org.postgresql.util.PSQLException", lost.getClass().getName());
    assertEquals("08006", lost.getSQLState());
    assertEquals("This connection has been closed.", Failures.postgres().connectionClosed().get().getMessage());
    assertEquals("25P02", Failures.postgres().inFailedTransaction().get().getSQLState());
    // PostgreSQL reports lock_timeout and NOWAIT both as 55P03; the message tells them apart
    assertEquals(FailureKind.LOCK_TIMEOUT, Failures.postgres().lockTimeout().kind());
    assertEquals(FailureKind.LOCK_NOT_AVAILABLE, Failures.postgres().lockNotAvailable().kind());
    assertEquals("55P03", Failures.postgres().lockTimeout().sqlState());
    assertEquals(FailureKind.SERIALIZATION_FAILURE, Failures.postgres().serializationFailure().kind());
  }

  @Test
  void mariadbFailuresAsConnectorJReportsThem() {
    SQLException deadlock = Failures.mariadb().deadlock().get();
    assertInstanceOf(SQLTransactionRollbackException.class, deadlock);
    assertEquals(1213, deadlock.getErrorCode());
    assertEquals("40001", deadlock.getSQLState());
    SQLException timeout = Failures.mariadb().lockTimeout().get();
    assertEquals(SQLException.class, timeout.getClass());
    assertEquals("HY000", timeout.getSQLState());
    assertEquals(1205, timeout.getErrorCode());
    assertEquals(FailureScope.STATEMENT, Failures.mariadb().lockTimeout().scope());
    assertInstanceOf(SQLIntegrityConstraintViolationException.class, Failures.mariadb().uniqueViolation().get());
    assertEquals(FailureKind.CONNECTION_LOST, Failures.mariadb().connectionLost().kind());
  }

  @Test
  void h2FailuresAreH2sOwnClasses() {
    SQLException deadlock = Failures.h2().deadlock().get();
    assertEquals("org.h2.jdbc.JdbcSQLTransactionRollbackException", deadlock.getClass().getName());
    assertEquals(40001, deadlock.getErrorCode());
    // H2's own exception factory appends the build of the H2 on the class path
    assertTrue(deadlock.getMessage().endsWith("\"T\" [40001-" + org.h2.engine.Constants.BUILD_ID + "]"),
        deadlock.getMessage());
    assertEquals(FailureKind.DEADLOCK, Failures.h2().deadlock().kind());
    SQLException timeout = Failures.h2().lockTimeout().get();
    assertEquals("HYT00", timeout.getSQLState());
    assertEquals(FailureKind.LOCK_TIMEOUT, Failures.h2().lockTimeout().kind());
    assertEquals(FailureKind.CONNECTION_LOST, Failures.h2().connectionLost().kind());
  }

  @Test
  void cockroachReportsAmbiguousResults() {
    Failure f = Failures.cockroach().outcomeUnknown();
    assertEquals("40003", f.sqlState());
    assertEquals(FailureKind.OUTCOME_UNKNOWN, f.kind());
    assertEquals(FailureKind.SERIALIZATION_FAILURE, Failures.cockroach().serializationFailure().kind());
  }

  @Test
  void kindsADatabaseDoesNotReportAreRefusedWithAHint() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Failures.postgres()::outcomeUnknown);
    assertTrue(e.getMessage().contains("COMMIT_AFTER"), e.getMessage());
    assertThrows(IllegalArgumentException.class, Failures.mariadb()::inFailedTransaction);
    assertEquals(FailureKind.DEADLOCK, Failures.of(Database.DB2).of(FailureKind.DEADLOCK).kind());
  }
}
