package dev.txkit.benchmarks.contention;

import dev.txkit.RetryEvent;
import dev.txkit.RetryPolicy;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.Transactions;
import javax.sql.DataSource;

/**
 * The call made with txkit's public API: {@code txs.inTransaction(options, tx -> op.runTx(tx))}, with the
 * target's isolation, the target and workload ids as the transaction name and the given retry policy.
 * Contention control works per name and process: with one name for a workload on every database, the
 * PostgreSQL runs would set the limit the MariaDB runs start with. The callback counts the attempts itself; the
 * policy's {@code onRetry} callback records why each retried attempt failed.
 */
final class TxkitStrategy implements Strategy {

  private final Transactions txs;
  private final TxOptions options;

  TxkitStrategy(DataSource pool, Target target, String name, RetryPolicy policy) {
    this.txs = Transactions.create(pool);
    this.options = TxOptions.builder()
        .isolation(target.isolation())
        .name(name)
        .retry(policy.toBuilder().onRetry(TxkitStrategy::aborted).build())
        .build();
  }

  private static void aborted(RetryEvent e) {
    Recorder rec = Recorder.current();
    if (rec != null) {
      rec.aborted(e.failure());
    }
  }

  @Override
  public boolean call(Operation op, Recorder rec) {
    return txs.inTransaction(options, tx -> {
      rec.attempt();
      return op.runTx(tx);
    });
  }
}
