package dev.txkit.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.Database;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which SQL texts {@link StatementGuard} refuses, on the spellings its integration test cannot all cover. */
class StatementGuardTest {

  private static void refused(Database db, String sql) {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> StatementGuard.check(sql, db, "t"), sql);
    assertTrue(e.getMessage().contains("transaction-control") && e.getMessage().contains("'t'"), e.getMessage());
  }

  private static void allowed(Database db, String sql) {
    assertDoesNotThrow(() -> StatementGuard.check(sql, db, "t"), sql);
  }

  @Test
  void transactionControlIsRefusedWhereverItHides() {
    for (Database db : List.of(Database.H2, Database.POSTGRESQL, Database.MARIADB)) {
      for (String sql : List.of("COMMIT", "\n\t commit ;", "/* a /* nested */ comment */ COMMIT",
          "-- one\n-- two\nROLLBACK", "# mysql\nROLLBACK WORK", "ROLLBACK AND CHAIN", "rollback transaction",
          "ROLLBACK PREPARED 'x'", "COMMIT PREPARED 'x'", "END WORK", "ABORT", "BEGIN", "begin work",
          "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE", "START TRANSACTION WITH CONSISTENT SNAPSHOT",
          "SET autocommit=0", "SET @@session.autocommit = 1", "SET sql_mode = '', autocommit = 1",
          "SET LOCAL TRANSACTION READ ONLY", "SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED",
          "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE", "RELEASE sp",
          "RELEASE SAVEPOINT JDBC_SAVEPOINT_1", "XA START 'x'", "PREPARE TRANSACTION 'x'",
          "SELECT 1; COMMIT", "INSERT INTO t VALUES (';'); COMMIT", "SELECT $$;$$; COMMIT",
          "SELECT 'it''s; fine'; commit", "SELECT \"a;b\" FROM t; ROLLBACK", "SELECT 1 /* ; */; BEGIN")) {
        refused(db, sql);
      }
    }
    refused(Database.MARIADB, "LOCK TABLES t WRITE");
    refused(Database.MARIADB, "UNLOCK TABLES");
    refused(Database.MARIADB, "SELECT 'a\\';b'; COMMIT");
  }

  @Test
  void ordinarySqlRuns() {
    for (Database db : List.of(Database.H2, Database.POSTGRESQL, Database.MARIADB)) {
      for (String sql : List.of("UPDATE commits SET n = 1", "SELECT 'COMMIT'", "INSERT INTO rollback_log VALUES (1)",
          "/* COMMIT */ SELECT 1", "-- ROLLBACK\nSELECT 1", "SAVEPOINT a", "ROLLBACK TO SAVEPOINT a",
          "ROLLBACK WORK TO a", "rollback to a", "SET LOCAL statement_timeout = 5", "SET search_path TO app",
          "SET @x = 'autocommit'", "SET my_autocommit = 1", "SELECT 1; SELECT 2", "SELECT ';COMMIT'",
          "SELECT $tag$; COMMIT $tag$", "BEGIN NOT ATOMIC SELECT 1; END", "START REPLICA", "PREPARE p AS SELECT 1",
          "WITH x AS (SELECT 1) SELECT * FROM x", "CALL proc(?)", "", "   ", "-- only a comment",
          "SELECT $1", "SELECT ? -- COMMIT")) {
        allowed(db, sql);
      }
    }
    allowed(Database.MARIADB, "CREATE DEFINER = CURRENT_USER PROCEDURE p() BEGIN SELECT 1; COMMIT; END");
    allowed(Database.POSTGRESQL, "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END");
    refused(Database.POSTGRESQL, "CREATE TABLE t (id int); COMMIT");
    // LOCK TABLE is a lock inside the transaction on PostgreSQL
    allowed(Database.POSTGRESQL, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  }
}
