package dev.txkit.benchmarks.contention;

/**
 * How a caller runs an {@link Operation}: by hand with JDBC, or with txkit. An instance serves one run and is
 * called from all of its threads.
 */
public interface Strategy {

  /**
   * Runs one call: every attempt it makes is counted with {@link Recorder#attempt()}, every failed attempt
   * that is retried with {@link Recorder#aborted}.
   *
   * @param op the transaction
   * @param rec the calling thread's recorder
   * @return true if it committed, false if the operation declined (rolled back by the business rule)
   * @throws Exception what reaches the caller
   */
  boolean call(Operation op, Recorder rec) throws Exception;
}
