package dev.txkit;

import dev.txkit.internal.ThreadFrames;
import java.util.Optional;

/**
 * The txkit transaction the calling thread is running, read-only: its name, attempt number and an id. For code
 * that observes transactions without taking part in them (logging, tracing, the test kit's attempt triggers),
 * whichever {@code Transactions} runs them, with no listener to register.
 *
 * <pre>{@code
 * CurrentTransaction.current().ifPresent(t -> log.info("in {} attempt {}", t.name(), t.attempt()));
 * }</pre>
 *
 * <p>The current transaction is the innermost physical transaction of the thread: a
 * {@link Propagation#REQUIRES_NEW} call is current while it runs, a nested block ({@link Propagation#NESTED},
 * {@link Propagation#JOIN}) belongs to the transaction it runs in. It is visible from the moment txkit asks for a
 * connection until the connection is handed back, so it also covers the JDBC calls txkit makes to begin, commit,
 * roll back and restore the connection; completion hooks run after it. A manual transaction
 * ({@code Transactions.begin}) is current from {@code begin} until its {@code commit}, {@code rollback} or
 * {@code close}.
 *
 * <p>Instances are views of the running transaction: valid on the thread that runs it and while it runs.
 */
public interface CurrentTransaction {

  /**
   * The calling thread's innermost txkit transaction.
   *
   * @return the transaction, or empty outside any
   */
  static Optional<CurrentTransaction> current() {
    return Optional.ofNullable(ThreadFrames.currentTransaction());
  }

  /**
   * Tells txkit that the calling thread is about to make a blocking call that has no business inside a
   * transaction: an email, an HTTP request, a message to a broker. If a txkit transaction whose
   * {@link Pitfalls#blockingCall()} is on is open on this thread, it warns (or, in {@link PitfallMode#FAIL}, throws
   * {@link PitfallException}) naming the call, the transaction and where it began: the transaction would hold its
   * connection and locks while waiting, and the call would happen even if the transaction then rolled back.
   * {@code tx.afterCommit(...)} is the place for it. Costs a thread-local read when no transaction is open.
   *
   * @param what the call, for the warning (no bound values, no personal data)
   * @throws PitfallException in {@link PitfallMode#FAIL} inside a transaction
   * @throws NullPointerException if {@code what} is null
   */
  static void blockingCall(String what) {
    ThreadFrames.blockingCall(java.util.Objects.requireNonNull(what, "what"));
  }

  /** @return the transaction's name ({@link TxOptions#name()} of the call that began it) */
  String name();

  /** @return the attempt now running, from 1 */
  int attempt();

  /**
   * An id of the transaction, the same for all its attempts, unique in this process (ids are not reused). Taken
   * when first asked for: it costs nothing when nobody asks.
   *
   * @return the id
   */
  long id();

  /** @return whether it was begun by hand ({@code Transactions.begin}) rather than by a callback */
  boolean isManual();
}
