package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.TxOptions;
import dev.txkit.jdbc.Transactions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The code under test builds its own {@code Transactions} from the data source it is given, with no listener:
 * attempt and transaction triggers still fire, because the kit learns the thread's transaction from txkit.
 */
class WithoutListenerTest {

  private final Fixture f = Fixture.h2("t4_nolistener");

  @AfterEach
  void drop() {
    f.drop();
  }

  /** What an application does: it knows nothing of the kit. */
  private static List<Integer> saveOrder(javax.sql.DataSource ds, String insert) {
    Transactions txs = Transactions.create(ds);
    List<Integer> attempts = new ArrayList<>();
    txs.useTransaction(TxOptions.builder().name("save order").build(), tx -> {
      attempts.add(tx.attempt());
      tx.update(insert, 1, 10);
    });
    return attempts;
  }

  @Test
  void attemptAndTransactionTriggersFireOnTransactionsCreatedOverTheFaultyDataSource() {
    f.faults.inject(Fault.at(Point.STATEMENT_BEFORE)
        .when(Trigger.kind(StatementKind.INSERT), Trigger.transaction("save order"), Trigger.attempt(1))
        .fail(Failures.h2().deadlock()));
    assertEquals(List.of(1, 2), saveOrder(f.ds, f.insert()), "the deadlock on attempt 1 was retried");
    assertEquals(List.of(1L), f.ids());
    f.faults.assertAllFired();
    // the trace knows which attempt each call belonged to
    List<Recorder.Event> inserts = f.recorder.events().stream().filter(e -> e.sql() != null
        && e.sql().startsWith("INSERT")).toList();
    assertEquals(2, inserts.size(), inserts.toString());
    assertEquals("save order", inserts.get(0).transaction());
    assertEquals(List.of(1, 2), inserts.stream().map(Recorder.Event::attempt).toList());
  }

  @Test
  void aTriggerForAnotherAttemptDoesNotFire() {
    Faults.ArmedFault armed = f.faults.inject(Fault.at(Point.STATEMENT_BEFORE)
        .when(Trigger.kind(StatementKind.INSERT), Trigger.attempt(2)).fail(Failures.h2().deadlock()));
    assertEquals(List.of(1), saveOrder(f.ds, f.insert()));
    assertEquals(0, armed.timesFired());
    assertTrue(armed.matched() == 0, "no call of attempt 2 was made");
  }
}
