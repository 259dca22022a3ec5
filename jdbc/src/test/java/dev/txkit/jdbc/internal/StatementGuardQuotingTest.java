package dev.txkit.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where {@link StatementGuard}'s reading of quotes and comments ends, found by the mutation run (profile
 * {@code mutation}): a backslash escapes a quote only on MariaDB and MySQL; PostgreSQL (standard strings) and H2
 * end {@code 'a\'} at its second quote, so a {@code COMMIT} after it must be refused there. Before, it was allowed
 * and committed the transaction behind txkit's back.
 */
class StatementGuardQuotingTest {

  private static void refused(Database db, String sql) {
    assertThrows(IllegalStateException.class, () -> StatementGuard.check(sql, db, "t"), db + ": " + sql);
  }

  private static void allowed(Database db, String sql) {
    assertDoesNotThrow(() -> StatementGuard.check(sql, db, "t"), db + ": " + sql);
  }

  @Test
  void aBackslashEscapesOnlyWhereTheDatabaseSaysSo() {
    for (Database db : List.of(Database.POSTGRESQL, Database.H2)) {
      refused(db, "INSERT INTO t VALUES ('C:\\'); COMMIT");
      refused(db, "SELECT \"a\\\"; COMMIT");
    }
    allowed(Database.MARIADB, "INSERT INTO t VALUES ('C:\\'); COMMIT')");
    refused(Database.MARIADB, "INSERT INTO t VALUES ('C:\\\\'); COMMIT");
  }

  @Test
  void whatIsUnterminatedHidesTheRestAndOperatorsAreNoComments() {
    for (Database db : List.of(Database.POSTGRESQL, Database.H2, Database.MARIADB)) {
      allowed(db, "SELECT 1 /* unterminated; COMMIT");
      allowed(db, "SELECT 'unterminated; COMMIT");
      allowed(db, "SELECT 1 -");
      allowed(db, "SELECT 1 --x");
      allowed(db, "SELECT 1 /");
      refused(db, "SELECT a-b; COMMIT");
      refused(db, "SELECT 2/3; COMMIT");
      refused(db, "SELECT 1 /**/; COMMIT");
    }
    allowed(Database.POSTGRESQL, "SELECT $t$ unterminated; COMMIT");
    allowed(Database.POSTGRESQL, "SELECT $");
    refused(Database.POSTGRESQL, "SELECT $1; COMMIT");
    refused(Database.POSTGRESQL, "SELECT $a$x$a$; COMMIT");
    refused(Database.POSTGRESQL, "SELECT $_1$;$_1$; COMMIT");
  }

  @Test
  void onH2TheWorkOfACallerThatRollsBackStaysUncommitted() {
    TestDatabases.TestDb db = TestDatabases.h2();
    db.createTable("t2_guard_quote", "id INT PRIMARY KEY, v VARCHAR(10)");
    Transactions txs = Transactions.create(db.dataSource());
    assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      tx.update("INSERT INTO t2_guard_quote VALUES (1, 'C:\\'); COMMIT");
    }));
    assertEquals(List.of(), db.queryLongs("SELECT id FROM t2_guard_quote"));
    db.exec("DROP TABLE t2_guard_quote");
  }
}
