package dev.txkit.examples;

import static dev.txkit.Isolation.READ_COMMITTED;
import static dev.txkit.Isolation.READ_UNCOMMITTED;
import static dev.txkit.Isolation.REPEATABLE_READ;
import static dev.txkit.Isolation.SERIALIZABLE;
import static dev.txkit.examples.IsolationExplorer.Anomaly.DIRTY_READ;
import static dev.txkit.examples.IsolationExplorer.Anomaly.LOST_UPDATE;
import static dev.txkit.examples.IsolationExplorer.Anomaly.NON_REPEATABLE_READ;
import static dev.txkit.examples.IsolationExplorer.Anomaly.PHANTOM;
import static dev.txkit.examples.IsolationExplorer.Anomaly.WRITE_SKEW;
import static dev.txkit.examples.IsolationExplorer.Verdict.ALLOWED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.txkit.Isolation;
import dev.txkit.examples.IsolationExplorer.Anomaly;
import dev.txkit.examples.IsolationExplorer.Verdict;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The explorer on each database, checked against what each database documents for its isolation levels; where
 * nothing is promised, the measured verdict is printed, not asserted.
 */
class IsolationExplorerIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void measuresWhatEachDatabasePromises(TestDb db) throws Exception {
    IsolationExplorer explorer = new IsolationExplorer(db.dataSource(), "ex_iso_rows");
    Map<Anomaly, Map<Isolation, Verdict>> v = explorer.exploreAll();
    System.out.print(IsolationExplorer.table(explorer.database(), v));

    // no database shows uncommitted changes from READ COMMITTED up
    for (Isolation level : new Isolation[] {READ_COMMITTED, REPEATABLE_READ, SERIALIZABLE}) {
      assertNotEquals(ALLOWED, v.get(DIRTY_READ).get(level), "dirty read at " + level);
    }
    // a read-modify-write at READ COMMITTED loses an update everywhere; REPEATABLE READ stops re-reads changing
    assertEquals(ALLOWED, v.get(LOST_UPDATE).get(READ_COMMITTED));
    assertEquals(ALLOWED, v.get(NON_REPEATABLE_READ).get(READ_COMMITTED));
    assertNotEquals(ALLOWED, v.get(NON_REPEATABLE_READ).get(REPEATABLE_READ));
    switch (db.database()) {
      case POSTGRESQL -> {
        // READ UNCOMMITTED is READ COMMITTED; REPEATABLE READ is snapshot isolation; SERIALIZABLE is SSI
        assertNotEquals(ALLOWED, v.get(DIRTY_READ).get(READ_UNCOMMITTED));
        assertNotEquals(ALLOWED, v.get(PHANTOM).get(REPEATABLE_READ));
        assertNotEquals(ALLOWED, v.get(LOST_UPDATE).get(REPEATABLE_READ));
        assertEquals(ALLOWED, v.get(WRITE_SKEW).get(REPEATABLE_READ));
        for (Anomaly a : Anomaly.values()) {
          assertNotEquals(ALLOWED, v.get(a).get(SERIALIZABLE), a + " at SERIALIZABLE");
        }
      }
      case MARIADB -> {
        assertEquals(ALLOWED, v.get(DIRTY_READ).get(READ_UNCOMMITTED));
        // consistent reads of one snapshot, but writes go to the latest row: the lost update stays
        assertNotEquals(ALLOWED, v.get(PHANTOM).get(REPEATABLE_READ));
        assertEquals(ALLOWED, v.get(LOST_UPDATE).get(REPEATABLE_READ));
        for (Anomaly a : Anomaly.values()) {
          assertNotEquals(ALLOWED, v.get(a).get(SERIALIZABLE), a + " at SERIALIZABLE");
        }
      }
      case H2 -> {
        assertEquals(ALLOWED, v.get(DIRTY_READ).get(READ_UNCOMMITTED));
        assertNotEquals(ALLOWED, v.get(PHANTOM).get(SERIALIZABLE));
      }
      default -> throw new AssertionError("not a database under test: " + db.database());
    }
    assertEquals(db.database(), explorer.database());
  }
}
