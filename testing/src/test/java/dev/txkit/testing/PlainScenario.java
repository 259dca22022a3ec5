package dev.txkit.testing;

import dev.txkit.jdbc.Transactions;
import java.sql.Connection;
import java.sql.Statement;
import org.h2.jdbcx.JdbcDataSource;

/** A fault scenario written without JUnit, run by {@link WithoutJUnitTest} in a class loader without JUnit. */
public final class PlainScenario {

  private PlainScenario() {
  }

  /**
   * Injects a deadlock into the first attempt of a transaction and reports what happened.
   *
   * @return attempts and rows
   * @throws Exception if the scenario fails
   */
  public static String run() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:fi_plain;DB_CLOSE_DELAY=-1");
    try (Connection c = h2.getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE fi_plain (id INT PRIMARY KEY)");
    }
    FaultyDataSource ds = FaultyDataSource.wrap(h2);
    FakeSleeper sleeper = new FakeSleeper();
    Transactions txs = ds.transactions().sleeper(sleeper).build();
    ds.faults().inject(Fault.at(Point.STATEMENT_BEFORE).when(Trigger.attempt(1)).fail(Failures.h2().deadlock()));
    txs.useTransaction(tx -> tx.update("INSERT INTO fi_plain VALUES (1)"));
    ds.faults().assertAllFired();
    ds.recorder().assertAllClosed();
    long rows = txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM fi_plain", Long.class));
    try (Connection c = h2.getConnection(); Statement st = c.createStatement()) {
      st.execute("DROP TABLE fi_plain");
    }
    return "attempts=" + ds.recorder().transactions().get(0).attempts() + " rows=" + rows;
  }
}
