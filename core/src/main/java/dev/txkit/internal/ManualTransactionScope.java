package dev.txkit.internal;

import dev.txkit.CompletionStatus;
import dev.txkit.spi.ManualScope;
import dev.txkit.spi.ResourceTransaction;

/**
 * The scope of a manual transaction: its commit and rollback are the attempt's own steps, called by the user;
 * then {@link Call#endManual} releases, runs the hooks and reports completion as the attempt loop does.
 *
 * @param <C> the resource's transaction type
 */
final class ManualTransactionScope<C extends ResourceTransaction> extends Scope<C> implements ManualScope<C> {

  private final Call<C> call;

  ManualTransactionScope(Attempt<C> attempt, Call<C> call) {
    super(attempt, call.options, null, Kind.OUTERMOST, call.options.readOnly(), call.hasDeadline, call.deadline,
        false);
    this.call = call;
  }

  @Override
  public void commit() {
    checkStillOpen("commit() can be called once");
    end();
    attempt.commit();
    Attempt.Failure f = attempt.failure;
    if (f != null && !f.unknownOutcome()) {
      call.engine.listeners.rollback(call.name, 1, f.failure());
    }
    call.endManual(attempt, this);
  }

  @Override
  public void rollback() {
    checkStillOpen("it cannot be rolled back now");
    end();
    attempt.rollback("Rollback of '" + call.name + "' failed");
    call.engine.listeners.rollback(call.name, 1, null);
    call.endManual(attempt, this);
  }

  @Override
  public void close() {
    if (attempt.state() == AttemptState.CLOSED) {
      return;
    }
    if (Thread.currentThread() != attempt.owner) {
      throw new IllegalStateException("Transaction '" + call.name + "' was begun on thread '"
          + attempt.owner.getName() + "' and must be closed there");
    }
    rollback();
  }

  private void checkStillOpen(String what) {
    if (attempt.state() == AttemptState.CLOSED) {
      CompletionStatus s = attempt.status;
      throw new IllegalStateException("Transaction '" + call.name + "' was already " + (s == CompletionStatus.COMMITTED
          ? "committed" : s == CompletionStatus.UNKNOWN ? "ended with an unknown commit outcome" : "rolled back")
          + "; " + what);
    }
    checkOpen();
  }
}
