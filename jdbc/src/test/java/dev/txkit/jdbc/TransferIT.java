package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.Isolation;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The README's transfer example, on every database: commits, or changes nothing. */
class TransferIT {

  private static final String DEBIT = "UPDATE t2_accounts SET balance = balance - ? WHERE id = ? AND balance >= ?";
  private static final String CREDIT = "UPDATE t2_accounts SET balance = balance + ? WHERE id = ?";

  private Transactions setUp(TestDb db) {
    db.createTable("t2_accounts", "id BIGINT PRIMARY KEY, balance BIGINT NOT NULL");
    db.exec("INSERT INTO t2_accounts VALUES (1, 100), (2, 50)");
    return Transactions.create(db.dataSource());
  }

  private static List<Long> balances(TestDb db) {
    return db.queryLongs("SELECT balance FROM t2_accounts ORDER BY id");
  }

  private static void transfer(Transactions txs, long from, long to, long amt) {
    txs.useTransaction(Isolation.SERIALIZABLE, tx -> {
      tx.updateOne(DEBIT, amt, from, amt);
      tx.updateOne(CREDIT, amt, to);
    });
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void transferCommits(TestDb db) {
    Transactions txs = setUp(db);
    transfer(txs, 1, 2, 30);
    assertEquals(List.of(70L, 80L), balances(db));
    transfer(txs, 2, 1, 80);
    assertEquals(List.of(150L, 0L), balances(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void exceptionBetweenTheUpdatesChangesNothing(TestDb db) {
    Transactions txs = setUp(db);
    IllegalStateException boom = new IllegalStateException("fraud check failed");
    IllegalStateException seen = assertThrows(IllegalStateException.class,
        () -> txs.useTransaction(Isolation.SERIALIZABLE, tx -> {
          tx.updateOne(DEBIT, 30, 1, 30);
          throw boom;
        }));
    assertSame(boom, seen, "the callback's exception reaches the caller unchanged");
    assertEquals(List.of(100L, 50L), balances(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void rawSqlExceptionBetweenTheUpdatesReachesTheCallerAsCheckedAndChangesNothing(TestDb db) {
    Transactions txs = setUp(db);
    SQLException[] thrown = new SQLException[1];
    SQLException seen = null;
    try {
      // compiles only because the callback's checked SQLException flows through inTransaction's signature
      txs.useTransaction(Isolation.SERIALIZABLE, tx -> {
        tx.updateOne(DEBIT, 30, 1, 30);
        try (PreparedStatement ps = tx.connection().prepareStatement(
            "UPDATE t2_no_such_table SET balance = balance + ? WHERE id = ?")) {
          ps.setLong(1, 30);
          ps.setLong(2, 2);
          ps.executeUpdate();
        } catch (SQLException e) {
          thrown[0] = e;
          throw e;
        }
        tx.updateOne(CREDIT, 30, 2);
      });
    } catch (SQLException e) {
      seen = e;
    }
    assertNotNull(seen, "the caller sees the SQLException");
    assertSame(thrown[0], seen, "the driver's SQLException reaches the caller unchanged");
    assertEquals(List.of(100L, 50L), balances(db));
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void insufficientBalanceThrowsUnexpectedRowCountAndChangesNothing(TestDb db) {
    Transactions txs = setUp(db);
    UnexpectedRowCountException e = assertThrows(UnexpectedRowCountException.class,
        () -> transfer(txs, 2, 1, 51));
    assertEquals(1, e.expected());
    assertEquals(0, e.actual());
    assertEquals(List.of(100L, 50L), balances(db));
    // credit to a missing account after a successful debit: the debit is undone too
    assertThrows(UnexpectedRowCountException.class, () -> transfer(txs, 1, 99, 10));
    assertEquals(List.of(100L, 50L), balances(db));
  }
}
