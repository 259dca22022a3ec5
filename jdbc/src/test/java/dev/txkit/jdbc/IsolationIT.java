package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.DatabaseFailureException;
import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The requested isolation is what the database runs the transaction with; read-only is enforced. */
class IsolationIT {

  static Stream<Arguments> databasesAndLevels() {
    List<Arguments> out = new ArrayList<>();
    for (TestDb db : TestDatabases.all()) {
      for (Isolation i : List.of(Isolation.READ_COMMITTED, Isolation.REPEATABLE_READ, Isolation.SERIALIZABLE)) {
        out.add(Arguments.of(db, i));
      }
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("databasesAndLevels")
  void isolationIsAppliedInsideTheTransaction(TestDb db, Isolation isolation) throws SQLException {
    Transactions txs = Transactions.create(db.dataSource());
    String sql = ServerState.isolationQuery(db.database());
    Isolation outside = ServerState.parse(txs.inTransaction(tx -> tx.queryOne(sql, String.class)));
    Isolation inside = ServerState.parse(txs.inTransaction(isolation, tx -> tx.queryOne(sql, String.class)));
    assertEquals(isolation, inside, "the server's isolation inside the transaction");
    // the same, read-only (PostgreSQL: BEGIN READ ONLY; MariaDB: START TRANSACTION READ ONLY)
    Isolation insideReadOnly = ServerState.parse(txs.inTransaction(
        TxOptions.builder().isolation(isolation).readOnly(true).build(), tx -> tx.queryOne(sql, String.class)));
    assertEquals(isolation, insideReadOnly, "the server's isolation inside a read-only transaction");
    if (db.database() == Database.H2) {
      int jdbc = txs.inTransaction(isolation, tx -> tx.connection().getTransactionIsolation());
      assertEquals(isolation.jdbcLevel(), jdbc);
    }
    assertEquals(outside, ServerState.parse(txs.inTransaction(tx -> tx.queryOne(sql, String.class))),
        "a default transaction afterwards runs with the connection's default again");
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#servers")
  void readOnlyIsEnforcedByTheServer(TestDb db) {
    db.createTable("t2_ro", "id BIGINT PRIMARY KEY");
    db.exec("INSERT INTO t2_ro VALUES (1)");
    Transactions txs = Transactions.create(db.dataSource());
    TxOptions readOnly = TxOptions.builder().readOnly(true).name("report").build();
    long[] read = new long[1];
    DatabaseFailureException e = assertThrows(DatabaseFailureException.class, () -> txs.useTransaction(readOnly,
        tx -> {
          read[0] = tx.queryOne("SELECT COUNT(*) FROM t2_ro", Long.class);
          tx.update("INSERT INTO t2_ro VALUES (2)");
        }));
    assertEquals(1, read[0], "reads work in a read-only transaction");
    assertEquals("25006", e.sqlState(), "read-only transaction violation: " + e.getMessage());
    assertEquals(List.of(1L), db.queryLongs("SELECT id FROM t2_ro"));

    // also when the write is the first statement, and at SERIALIZABLE
    TxOptions serializableReadOnly = readOnly.toBuilder().isolation(Isolation.SERIALIZABLE).build();
    assertThrows(DatabaseFailureException.class, () -> txs.useTransaction(serializableReadOnly,
        tx -> tx.update("UPDATE t2_ro SET id = 3")));
    assertEquals(List.of(1L), db.queryLongs("SELECT id FROM t2_ro"));

    // and a read-write transaction afterwards writes
    txs.useTransaction(tx -> tx.update("INSERT INTO t2_ro VALUES (2)"));
    assertEquals(List.of(1L, 2L), db.queryLongs("SELECT id FROM t2_ro ORDER BY id"));
  }
}
