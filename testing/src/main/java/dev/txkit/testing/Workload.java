package dev.txkit.testing;

import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link WorkloadRunner} runs: a generator of operations, the client that performs them, and the checkers
 * of the resulting {@link History}, as in Jepsen. {@link BankWorkload}, {@link CounterWorkload} and
 * {@link DoctorsOnCallWorkload} are built in; implement this interface for a workload of your own.
 *
 * <p>{@link #next} and {@link #invoke} are called by many threads at once: one process per thread, each process
 * with a random sequence of its own (seeded from the run's seed, so the operations a process generates are the
 * same in a rerun with that seed).
 */
public interface Workload {

  /**
   * One operation to perform: what and with which argument.
   *
   * @param f what it does, e.g. {@code "transfer"}
   * @param value its argument (recorded in the history; its {@code toString} is printed)
   */
  record Operation(String f, @Nullable Object value) {
  }

  /** @return the workload's name, as the summary shows it */
  String name();

  /**
   * Creates the tables and the initial state, before the run, without faults.
   *
   * @param txs transactions over the real data source
   * @throws Exception if it cannot
   */
  void setUp(Transactions txs) throws Exception;

  /**
   * The next operation of a process.
   *
   * @param random the process's own random sequence
   * @param process the process, from 0
   * @param index how many operations this process has generated before, from 0
   * @return the operation, or null when this process has nothing more to do
   */
  @Nullable Operation next(Random random, int process, int index);

  /**
   * Performs an operation, as the application would.
   *
   * @param txs transactions over the run's faulty data source
   * @param op the operation
   * @param process the process performing it
   * @return what it returned (recorded for an ok operation), or null
   * @throws Exception when it fails; {@link #outcomeOf} tells whether that means fail or unknown
   */
  @Nullable Object invoke(Transactions txs, Operation op, int process) throws Exception;

  /** @return the checkers of this workload's histories */
  List<Checker> checkers();

  /**
   * What a failure of {@link #invoke} means: by default {@link History.Outcome#UNKNOWN} for
   * {@link CommitOutcomeUnknownException} (the commit may have happened) and {@link History.Outcome#FAIL} for any
   * other exception (txkit rolled the transaction back).
   *
   * @param failure what invoke threw
   * @return the outcome
   */
  default History.Outcome outcomeOf(Throwable failure) {
    return failure instanceof CommitOutcomeUnknownException ? History.Outcome.UNKNOWN : History.Outcome.FAIL;
  }
}
