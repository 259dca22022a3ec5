package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.ManualTransaction;
import dev.txkit.spi.ManualScope;

/** The programmatic form: the engine's commit and rollback steps, called by hand; close rolls back. No retries. */
public final class ManualTx extends TxScope implements ManualTransaction {

  private final ManualScope<JdbcAttempt> manual;

  /**
   * @param manual the engine's scope of the transaction
   */
  public ManualTx(ManualScope<JdbcAttempt> manual) {
    super(manual);
    this.manual = manual;
  }

  @Override
  public void commit() {
    manual.commit();
  }

  @Override
  public void rollback() {
    manual.rollback();
  }

  @Override
  public void close() {
    manual.close();
  }
}
