package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse on H2: clear errors, and nothing the transaction did is lost. */
class MisuseTest {

  private final TestDatabases.TestDb db = TestDatabases.h2();
  private Transactions txs;
  private ExecutorService other;

  @BeforeEach
  void setUp() {
    db.createTable("t2_misuse", "id BIGINT PRIMARY KEY");
    txs = Transactions.create(db.dataSource());
    other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    other.shutdownNow();
    assertTrue(other.awaitTermination(10, TimeUnit.SECONDS));
    db.exec("DROP TABLE t2_misuse");
  }

  private List<Long> rows() {
    return db.queryLongs("SELECT id FROM t2_misuse ORDER BY id");
  }

  private static void assertNpeNaming(String argument, Executable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call);
    assertTrue(e.getMessage() != null && e.getMessage().startsWith(argument), argument + ": " + e.getMessage());
  }

  @Test
  void nullArgumentsAreRejectedNamingTheArgument() {
    TransactionCallback<Object, RuntimeException> noCallback = null;
    TransactionConsumer<RuntimeException> noWork = null;
    assertNpeNaming("callback", () -> txs.inTransaction(noCallback));
    assertNpeNaming("callback", () -> txs.inTransaction(Isolation.SERIALIZABLE, noCallback));
    assertNpeNaming("callback", () -> txs.inTransaction(TxOptions.defaults(), noCallback));
    assertNpeNaming("options", () -> txs.inTransaction((TxOptions) null, tx -> 1));
    assertNpeNaming("isolation", () -> txs.inTransaction((Isolation) null, tx -> 1));
    assertNpeNaming("work", () -> txs.useTransaction(noWork));
    assertNpeNaming("options", () -> txs.useTransaction((TxOptions) null, tx -> { }));
    assertNpeNaming("options", () -> txs.begin(null));
    assertNpeNaming("dataSource", () -> Transactions.create((DataSource) null));
    assertNpeNaming("defaults", () -> txs.with(null));
    assertEquals(List.of(), rows());
  }

  @Test
  void txUsedAfterItsTransactionEndedIsRefused() throws SQLException {
    Tx[] leaked = new Tx[1];
    Connection[] leakedConnection = new Connection[1];
    PreparedStatement[] leakedStatement = new PreparedStatement[1];
    txs.useTransaction(tx -> {
      leaked[0] = tx;
      leakedConnection[0] = tx.connection();
      leakedStatement[0] = tx.connection().prepareStatement("INSERT INTO t2_misuse VALUES (?)");
      tx.update("INSERT INTO t2_misuse VALUES (1)");
    });
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> leaked[0].update("INSERT INTO t2_misuse VALUES (2)"));
    assertTrue(e.getMessage().contains("after its transaction ended"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> leaked[0].connection());
    assertThrows(IllegalStateException.class, () -> leaked[0].afterCommit(() -> { }));
    assertThrows(IllegalStateException.class, () -> leaked[0].setRollbackOnly());
    assertThrows(IllegalStateException.class, () -> leakedConnection[0].createStatement());
    assertThrows(IllegalStateException.class, () -> leakedStatement[0].executeUpdate());
    assertEquals(List.of(1L), rows());

    // a nested block's tx after the block ended, while the outer transaction goes on
    txs.useTransaction(tx -> {
      Tx[] inner = new Tx[1];
      txs.useTransaction(block -> {
        inner[0] = block;
        block.update("INSERT INTO t2_misuse VALUES (4)");
      });
      IllegalStateException ex = assertThrows(IllegalStateException.class,
          () -> inner[0].update("INSERT INTO t2_misuse VALUES (5)"));
      assertTrue(ex.getMessage().contains("nested block ended"), ex.getMessage());
      tx.update("INSERT INTO t2_misuse VALUES (6)");
    });
    assertEquals(List.of(1L, 4L, 6L), rows());
  }

  @Test
  void txUsedFromAnotherThreadIsRefusedAndTheTransactionGoesOn() throws Exception {
    txs.useTransaction(tx -> {
      tx.update("INSERT INTO t2_misuse VALUES (1)");
      Throwable failure = other.submit(() -> {
        try {
          tx.update("INSERT INTO t2_misuse VALUES (2)");
          return null;
        } catch (RuntimeException e) {
          return e;
        }
      }).get(10, TimeUnit.SECONDS);
      assertTrue(failure instanceof IllegalStateException, String.valueOf(failure));
      assertTrue(failure.getMessage().contains("other-thread") && failure.getMessage().contains("belongs to thread"),
          failure.getMessage());
      Throwable viaConnection = other.submit(() -> {
        try {
          tx.connection();
          return null;
        } catch (RuntimeException e) {
          return e;
        }
      }).get(10, TimeUnit.SECONDS);
      assertTrue(viaConnection instanceof IllegalStateException, String.valueOf(viaConnection));
      tx.update("INSERT INTO t2_misuse VALUES (3)");
    });
    assertEquals(List.of(1L, 3L), rows());
  }
}
