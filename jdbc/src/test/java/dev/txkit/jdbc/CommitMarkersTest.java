package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The commit-marker settings: defaults, what is refused and how it is explained, and H2's refusal. */
class CommitMarkersTest {

  @Test
  void defaults() {
    CommitMarkers m = CommitMarkers.table("app.txkit_commit_markers");
    assertEquals("app.txkit_commit_markers", m.table());
    assertFalse(m.createTable());
    assertEquals(Duration.ofMinutes(10), m.retention());
    assertEquals(Duration.ofSeconds(30), m.resolveTimeout());
    assertEquals(1_000, m.cleanupEvery());
    assertTrue(m.createTableSql().startsWith("CREATE TABLE IF NOT EXISTS app.txkit_commit_markers (\n"));
  }

  @Test
  void aTableNameThatIsNoIdentifierIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CommitMarkers.table("markers; DROP TABLE accounts"));
    assertTrue(e.getMessage().contains("must be a plain identifier, optionally qualified by its schema")
        && e.getMessage().contains("'markers; DROP TABLE accounts'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CommitMarkers.createTableSql("a.b.c"));
    assertThrows(NullPointerException.class, () -> Transactions.builder(new JdbcDataSource())
        .commitMarkers((CommitMarkers) null));
  }

  @Test
  void settingsOutOfRangeAreRefusedWithTheReason() {
    CommitMarkers.Builder b = CommitMarkers.builder("m");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.retention(Duration.ofSeconds(59)))
        .getMessage().contains("at least one minute"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.resolveTimeout(Duration.ZERO))
        .getMessage().contains("must be positive"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> b.cleanupEvery(0))
        .getMessage().contains("at least 1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CommitMarkers.builder("m").retention(Duration.ofMinutes(1)).resolveTimeout(Duration.ofSeconds(30))
            .build());
    assertTrue(e.getMessage().contains("must be more than twice the resolveTimeout"), e.getMessage());
    // the order of the settings does not matter: checked in build()
    assertEquals(Duration.ofSeconds(40), CommitMarkers.builder("m").resolveTimeout(Duration.ofSeconds(40))
        .retention(Duration.ofMinutes(2)).build().resolveTimeout());
  }

  @Test
  void onH2TheFirstTransactionFailsWithWhatToDo() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:markers;DB_CLOSE_DELAY=-1");
    Transactions txs = Transactions.builder(h2).commitMarkers("txkit_commit_markers").build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> txs.inTransaction(tx -> tx.queryOne("SELECT 1", Integer.class)));
    assertTrue(e.getMessage().contains("work on MariaDB, MySQL and Galera, not on H2")
        && e.getMessage().contains("Remove commitMarkers(...)"), e.getMessage());
  }
}
