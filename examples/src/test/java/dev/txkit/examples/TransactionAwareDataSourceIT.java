package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.Database;
import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import dev.txkit.testing.Failures;
import dev.txkit.testing.Fault;
import dev.txkit.testing.FaultyDataSource;
import dev.txkit.testing.Point;
import dev.txkit.testing.StatementKind;
import dev.txkit.testing.Trigger;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Code that takes a {@code DataSource} joins txkit's transaction through {@link Transactions#transactionAwareDataSource()}:
 * Spring's {@code JdbcTemplate}, jOOQ and Jdbi each insert inside {@code inTransaction}; their statements commit and
 * roll back with it, run in its savepoint blocks, and a deadlock one of them meets is retried by txkit.
 */
class TransactionAwareDataSourceIT {

  private static final String TABLE = "ex_ds_view";

  /** One way a library inserts a row (id) through a data source. */
  private enum Library {
    JDBC_TEMPLATE((ds, id) -> new JdbcTemplate(ds).update("INSERT INTO " + TABLE + " (id) VALUES (?)", id)),
    JOOQ((ds, id) -> DSL.using(ds, SQLDialect.DEFAULT).execute("INSERT INTO " + TABLE + " (id) VALUES (?)", id)),
    JDBI((ds, id) -> Jdbi.create(ds).useHandle(h -> h.execute("INSERT INTO " + TABLE + " (id) VALUES (?)", id)));

    final BiConsumer<DataSource, Long> insert;

    Library(BiConsumer<DataSource, Long> insert) {
      this.insert = insert;
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (TestDb db : List.of(TestDatabases.h2(), TestDatabases.postgres())) {
      for (Library l : Library.values()) {
        out.add(Arguments.of(db, l));
      }
    }
    return out.stream();
  }

  private static List<Long> rows(TestDb db) {
    return db.queryLongs("SELECT id FROM " + TABLE + " ORDER BY id");
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("cases")
  void theLibrarysStatementsCommitAndRollBackWithTxkitsTransaction(TestDb db, Library library) {
    db.createTable(TABLE, "id BIGINT PRIMARY KEY");
    Transactions txs = Transactions.create(db.dataSource());
    DataSource view = txs.transactionAwareDataSource();

    txs.useTransaction(tx -> {
      tx.update("INSERT INTO " + TABLE + " (id) VALUES (?)", 1L);
      library.insert.accept(view, 2L);
      assertEquals(List.of(), rows(db), "nothing is visible outside before the commit");
    });
    assertEquals(List.of(1L, 2L), rows(db));

    IllegalStateException boom = new IllegalStateException("boom");
    assertEquals(boom, assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
      library.insert.accept(view, 3L);
      tx.update("INSERT INTO " + TABLE + " (id) VALUES (?)", 4L);
      throw boom;
    })));
    assertEquals(List.of(1L, 2L), rows(db), "the library's insert rolled back with the transaction");

    // a savepoint block: its insert through the library is undone alone
    txs.useTransaction(tx -> {
      library.insert.accept(view, 5L);
      assertThrows(IllegalStateException.class, () -> txs.useTransaction(block -> {
        library.insert.accept(view, 6L);
        throw boom;
      }));
    });
    assertEquals(List.of(1L, 2L, 5L), rows(db));

    // outside a transaction the view is the pool: autocommit, as without txkit
    library.insert.accept(view, 7L);
    assertEquals(List.of(1L, 2L, 5L, 7L), rows(db));
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("cases")
  void aDeadlockInsideTheLibraryIsRetriedByTxkit(TestDb db, Library library) {
    db.createTable(TABLE, "id BIGINT PRIMARY KEY");
    FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
    faulty.faults().inject(Fault.at(Point.STATEMENT_BEFORE)
        .when(Trigger.kind(StatementKind.INSERT), Trigger.attempt(1), Trigger.sqlContains("VALUES (?)"))
        .fail(Failures.of(db.database()).deadlock()));
    Transactions txs = Transactions.builder(faulty).sleeper(d -> { }).build();
    DataSource view = txs.transactionAwareDataSource();
    List<Integer> attempts = new ArrayList<>();
    txs.useTransaction(TxOptions.builder().name("library work").build(), tx -> {
      attempts.add(tx.attempt());
      library.insert.accept(view, 1L);
    });
    assertEquals(List.of(1, 2), attempts, "the library's deadlock made txkit run the callback again");
    assertEquals(List.of(1L), rows(db), "applied once");
    faulty.faults().assertAllFired();
  }

  @ParameterizedTest(name = "Spring's transaction manager on {0}")
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void springsOwnTransactionManagerCannotTakeOverTxkitsTransaction(TestDb db) {
    db.createTable(TABLE, "id BIGINT PRIMARY KEY");
    Transactions txs = Transactions.create(db.dataSource());
    TransactionTemplate spring = new TransactionTemplate(
        new DataSourceTransactionManager(txs.transactionAwareDataSource()));
    // inside txkit's transaction, Spring would turn autocommit off and commit on its own: the connection refuses
    RuntimeException e = assertThrows(RuntimeException.class, () -> txs.useTransaction(tx ->
        spring.executeWithoutResult(s -> new JdbcTemplate(txs.transactionAwareDataSource())
            .update("INSERT INTO " + TABLE + " (id) VALUES (1)"))));
    Throwable refusal = e;
    while (refusal != null && !(refusal instanceof IllegalStateException)) {
      refusal = refusal.getCause();
    }
    assertInstanceOf(IllegalStateException.class, refusal, "the managed connection refused: " + e);
    assertTrue(refusal.getMessage().contains("belongs to txkit") || refusal.getMessage().contains("txkit"),
        refusal.getMessage());
    assertEquals(List.of(), rows(db));
    // on its own, outside txkit, Spring manages its own transactions on the view as on any data source
    spring.executeWithoutResult(s -> new JdbcTemplate(txs.transactionAwareDataSource())
        .update("INSERT INTO " + TABLE + " (id) VALUES (2)"));
    assertEquals(List.of(2L), rows(db));
    if (db.database() != Database.H2) {
      try (Connection unused = db.connect()) {
        // the shared pool's connections are back in autocommit after Spring's transaction
        assertTrue(unused.getAutoCommit());
      } catch (java.sql.SQLException x) {
        throw new IllegalStateException(x);
      }
    }
  }
}
