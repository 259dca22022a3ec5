package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.ConnectionLostException;
import dev.txkit.DatabaseFailureException;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.TestDatabases.TestDb;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A statement given fewer arguments than it has placeholders is the caller's mistake: it fails once, and is not
 * taken for a lost connection (MariaDB Connector/J reports it as a {@code SQLTransientConnectionException} with
 * SQLState 07004; on main, txkit retried it 10 times and threw {@code ConnectionLostException}).
 */
class ParameterCountIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void aMissingArgumentFailsOnceAsTheCallersMistake(TestDb db) {
    db.createTable("t8_params", "id INT, v INT");
    RtKit.Recorder rec = new RtKit.Recorder();
    Transactions txs = Transactions.builder(db.dataSource()).listener(rec).build();
    DatabaseFailureException e = assertThrows(DatabaseFailureException.class, () -> txs.useTransaction(
        TxOptions.builder().name("short").build(), tx -> tx.update("INSERT INTO t8_params VALUES (?, ?)", 1)));
    assertFalse(e instanceof ConnectionLostException, e.toString());
    assertEquals(1, rec.attempts("short"), e.toString());
    assertEquals(0L, db.queryLong("SELECT COUNT(*) FROM t8_params"));
  }
}
