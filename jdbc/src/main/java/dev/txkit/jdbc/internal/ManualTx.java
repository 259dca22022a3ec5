package dev.txkit.jdbc.internal;

import dev.txkit.Classification;
import dev.txkit.CommitOutcomeUnknownException;
import dev.txkit.CompletionStatus;
import dev.txkit.DatabaseFailureException;
import dev.txkit.FailureKind;
import dev.txkit.TransactionListener;
import dev.txkit.TxOptions;
import dev.txkit.internal.CommitResolution;
import dev.txkit.internal.TransactionEngine;
import dev.txkit.jdbc.ManualTransaction;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** The programmatic form: commit and roll back by hand, close rolls back. No retries. */
public final class ManualTx extends TxScope implements ManualTransaction {

  private final TransactionEngine engine;
  private final Binding binding;
  private final @Nullable TxScope previous;
  private @Nullable CompletionStatus status;
  private boolean closed;

  /**
   * @param attempt the attempt
   * @param options the options
   * @param engine for hooks and listeners
   * @param binding the thread binding to restore on close
   * @param previous the scope that was current before
   */
  public ManualTx(JdbcAttempt attempt, TxOptions options, TransactionEngine engine, Binding binding,
      @Nullable TxScope previous) {
    super(attempt, options, null, false);
    this.engine = engine;
    this.binding = binding;
    this.previous = previous;
  }

  @Override
  public void commit() {
    checkOpen();
    if (status != null) {
      throw new IllegalStateException("Transaction '" + options().name() + "' was already "
          + (status == CompletionStatus.COMMITTED ? "committed" : "rolled back") + "; commit() can be called once");
    }
    String name = options().name();
    if (context.isDoomed() || context.isRollbackOnly()) {
      rollback();
      if (context.isDoomed()) {
        Throwable cause = context.doomCause();
        throw cause instanceof RuntimeException ? (RuntimeException) cause
            : new IllegalStateException("Transaction '" + name + "' failed and was rolled back", cause);
      }
      return;
    }
    try {
      attempt.commit();
    } catch (SQLException e) {
      Classification c = attempt.classifier().classify(e);
      if (c.kind() == FailureKind.CONNECTION_LOST || c.kind() == FailureKind.OUTCOME_UNKNOWN) {
        CommitResolution r = attempt.resolveCommitOutcome();
        if (r != CommitResolution.COMMITTED) {
          status = CompletionStatus.UNKNOWN;
          close();
          if (r == CommitResolution.NOT_COMMITTED) {
            throw DatabaseFailureException.of("Commit of '" + name + "' failed; the database confirms it did not "
                + "commit", e, c);
          }
          throw new CommitOutcomeUnknownException("The connection failed during COMMIT of '" + name + "': the "
              + "transaction may or may not have committed; check the data before repeating it", e);
        }
      } else {
        try {
          attempt.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        status = CompletionStatus.ROLLED_BACK;
        close();
        throw DatabaseFailureException.of("Commit of '" + name + "' failed", e, c);
      }
    }
    status = CompletionStatus.COMMITTED;
    for (TransactionListener l : engine.listeners()) {
      l.onCommit(name, 1);
    }
    close();
  }

  @Override
  public void rollback() {
    checkOpen();
    if (status == CompletionStatus.COMMITTED) {
      throw new IllegalStateException("Transaction '" + options().name() + "' was already committed; it cannot be "
          + "rolled back");
    }
    if (status != null) {
      return;
    }
    status = CompletionStatus.ROLLED_BACK;
    try {
      attempt.rollback();
    } catch (SQLException e) {
      throw DatabaseFailureException.of("Rollback of '" + options().name() + "' failed", e,
          attempt.classifier().classify(e));
    } finally {
      for (TransactionListener l : engine.listeners()) {
        l.onRollback(options().name(), 1, null);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != context.owner()) {
      throw new IllegalStateException("Transaction '" + options().name() + "' was begun on thread '"
          + context.owner().getName() + "' and must be closed there");
    }
    closed = true;
    RuntimeException failure = null;
    if (status == null) {
      try {
        rollback();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    end();
    context.end();
    attempt.close();
    binding.restore(previous);
    engine.runHooks(options().name(), context.hooks(), status == null ? CompletionStatus.ROLLED_BACK : status);
    if (failure != null) {
      throw failure;
    }
  }
}
