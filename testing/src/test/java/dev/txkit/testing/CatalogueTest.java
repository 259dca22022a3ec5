package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Classification;
import dev.txkit.FailureKind;
import dev.txkit.FailureRule;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * txkit's classification tables tested against the kit's catalogue, the vendor truth written by hand (and
 * measured by {@code CatalogueIT}): every entry of every database must be classified with the entry's kind and
 * with the scope its server effect implies ({@link ServerEffect#scope}), also when it hides in a batch's
 * next-exception chain or in a cause chain; and every row of a database's own table must be the row that
 * decides at least one entry, so no row goes untested. Also the catalogue's own consistency.
 */
class CatalogueTest {

  static Stream<Failure> entries() {
    return Stream.of(Database.values()).flatMap(db -> Failures.of(db).all().stream());
  }

  private static Classification expected(Failure f) {
    return new Classification(f.kind(), f.scope());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void txkitClassifiesEveryEntryAsTheCatalogueSays(Failure f) {
    SQLException e = f.get();
    assertEquals(expected(f), f.database().classifier().classify(e), f + " (" + f.serverEffect() + "): "
        + e.getClass().getName() + " " + e.getSQLState() + "/" + e.getErrorCode() + " " + e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void classifiesTheSameInsideABatchUpdateExceptionsNextException(Failure f) {
    // a batch failure that carries no SQLState or vendor code of its own, the real error as next exception
    BatchUpdateException batch = new BatchUpdateException("Batch entry 1 was aborted; call getNextException",
        null, 0, new int[] {1, Statement.EXECUTE_FAILED});
    batch.setNextException(f.get());
    assertEquals(expected(f), f.database().classifier().classify(batch), f.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void classifiesTheSameWhenWrappedAsCause(Failure f) {
    RuntimeException wrapped = new IllegalStateException("repository failed",
        new RuntimeException("dao failed", f.get()));
    assertEquals(expected(f), f.database().classifier().classify(wrapped), f.toString());
  }

  @Test
  void everyRowOfEveryDatabasesOwnTableDecidesAtLeastOneEntry() {
    List<String> untested = new ArrayList<>();
    for (Database db : Database.values()) {
      List<FailureRule> rules = db.rules();
      Set<FailureRule> deciding = new HashSet<>();
      for (Failure f : Failures.of(db).all()) {
        SQLException e = f.get();
        rules.stream().filter(r -> r.matches(e)).findFirst().ifPresent(deciding::add);
      }
      // a database's own rows are those before the generic SQLState rows (which Database.OTHER has alone)
      List<FailureRule> generic = Database.OTHER.rules();
      for (FailureRule r : rules) {
        if ((db == Database.OTHER || !generic.contains(r)) && !deciding.contains(r)) {
          untested.add(db + ": " + r.description());
        }
      }
    }
    assertEquals(List.of(), untested, "classification rows that no catalogue entry exercises");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void eachEntryIsIdentifiedAsItselfOrAsAnEntryWithTheSameExceptionAndServerEffect(Failure f) {
    SQLException e = f.get();
    assertTrue(f.matches(e), f + " does not match its own exception " + e);
    Optional<Failure> found = Failures.of(f.database()).identify(e);
    assertTrue(found.isPresent(), f.toString());
    Failure g = found.get();
    // twins (MariaDB's lock wait timeout and NOWAIT; H2's deadlock and write conflict) must agree on what the
    // server does, or a lookup could not tell it
    assertEquals(f.serverEffect(), g.serverEffect(), f + " identified as " + g);
    assertEquals(f.kind(), g.kind(), f + " identified as " + g);
    BatchUpdateException batch = new BatchUpdateException("batch failed", null, 0, new int[0]);
    batch.setNextException(e);
    assertEquals(g, Failures.of(f.database()).identify(new RuntimeException(batch)).orElseThrow());
  }

  @Test
  void namesAreUniqueAndEveryEntryIsDescribed() {
    for (Database db : Database.values()) {
      Set<String> names = new HashSet<>();
      for (Failure f : Failures.of(db).all()) {
        assertTrue(names.add(f.name()), db + ": two entries named " + f.name());
        assertEquals(db, f.database());
        assertTrue(f.description().length() > 10, f + ": " + f.description());
      }
      assertFalse(names.isEmpty(), db.toString());
    }
  }

  @Test
  void onlyThePostgresqlMariadbAndH2EntriesAreMeasured() {
    for (Database db : Database.values()) {
      for (Failure f : Failures.of(db).all()) {
        if (f.measured()) {
          assertTrue(db == Database.POSTGRESQL || db == Database.MARIADB || db == Database.H2, f.toString());
        }
      }
    }
  }

  @Test
  void identifyPrefersATransactionScopeFailureAnywhereInTheChain() {
    SQLException duplicate = Failures.postgres().uniqueViolation().get();
    duplicate.setNextException(Failures.postgres().deadlock().get());
    assertEquals(Failures.postgres().deadlock(), Failures.postgres().identify(duplicate).orElseThrow());
    assertEquals(Failures.postgres().uniqueViolation(),
        Failures.postgres().identify(Failures.postgres().uniqueViolation().get()).orElseThrow());
  }

  @Test
  void identifyKnowsNothingOfOtherDatabasesOrUnknownFailures() {
    assertEquals(Optional.empty(), Failures.h2().identify(Failures.mariadb().deadlock().get()));
    assertEquals(Optional.empty(), Failures.postgres().identify(new SQLException("syntax error", "42601")));
    assertEquals(Optional.empty(), Failures.h2().identify(new IllegalStateException("no SQL here")));
  }

  @Test
  void theScopePolicyIsWrittenInOnePlace() {
    for (FailureKind kind : FailureKind.values()) {
      assertEquals(FailureScope.STATEMENT, ServerEffect.STATEMENT_ROLLED_BACK.scope(kind), kind.toString());
      assertEquals(FailureScope.TRANSACTION, ServerEffect.TRANSACTION_ROLLED_BACK.scope(kind), kind.toString());
      assertEquals(FailureScope.TRANSACTION, ServerEffect.CONNECTION_GONE.scope(kind), kind.toString());
      boolean lostConflict = kind == FailureKind.DEADLOCK || kind == FailureKind.SERIALIZATION_FAILURE
          || kind == FailureKind.OUTCOME_UNKNOWN;
      assertEquals(lostConflict ? FailureScope.TRANSACTION : FailureScope.STATEMENT,
          ServerEffect.TRANSACTION_ABORTED.scope(kind), kind.toString());
    }
  }

  @Test
  void everyPostgresFamilyStatementFailureLeavesTheTransactionAbortedAndNoOtherDoes() {
    for (Database db : Database.values()) {
      for (Failure f : Failures.of(db).all()) {
        if (f.serverEffect() == ServerEffect.TRANSACTION_ABORTED) {
          assertTrue(db.isPostgresFamily(), f.toString());
        } else if (db.isPostgresFamily()) {
          assertEquals(ServerEffect.CONNECTION_GONE, f.serverEffect(), f.toString());
        }
      }
    }
  }
}
