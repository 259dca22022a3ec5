package dev.txkit.internal;

import dev.txkit.Isolation;
import dev.txkit.Propagation;
import dev.txkit.TransactionTimeoutException;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRollbackException;
import dev.txkit.spi.AttemptBody;
import dev.txkit.spi.ResourceTransaction;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A call made inside an active transaction of the same engine: a block with a savepoint of its own
 * ({@link Propagation#NESTED}) or plain code in the enclosing block ({@link Propagation#JOIN},
 * {@link Propagation#MANDATORY}). Checks that the call's isolation and read-only setting agree with the
 * enclosing transaction, gives the block the earlier of its own deadline and the enclosing one, and undoes a
 * savepoint block's work (and drops its after-commit hooks) when it throws, asks for rollback or overruns its
 * own timeout. Only the outermost call retries.
 */
final class Nesting {

  private Nesting() {
  }

  static <C extends ResourceTransaction, T, X extends Exception> T run(Scope<C> outer, TxOptions options,
      AttemptBody<C, T, X> body) throws X {
    outer.checkOpen();
    Attempt<C> a = outer.attempt;
    checkCompatible(outer, options);
    Scope.Kind kind = options.propagation() == Propagation.NESTED ? Scope.Kind.SAVEPOINT : Scope.Kind.JOINED;
    boolean hasDeadline = outer.hasDeadline();
    long deadline = outer.deadlineNanos();
    boolean own = false;
    if (options.timeout() != null) {
      long mine = a.call.engine.ticker.read() + Durations.nanos(options.timeout());
      if (!hasDeadline || mine - deadline < 0) {
        hasDeadline = true;
        deadline = mine;
        own = true;
      }
    }
    Scope<C> inner = new Scope<>(a, options, outer, kind, options.readOnly() || outer.readOnly(), hasDeadline,
        deadline, own);
    Scope<C> previous = a.innermost();
    inner.activate();
    a.innermost(inner);
    ThreadFrames.push(inner);
    try {
      if (kind == Scope.Kind.JOINED) {
        T result = body.run(inner);
        if (inner.ownDeadlinePassed()) {
          TransactionTimeoutException e = overrun(inner, "a joined block has no work of its own to undo, so "
              + "the transaction '" + a.call.name + "' it joined is rolled back", null);
          a.record(e, e, Attempt.TIMEOUT);
          throw e;
        }
        return result;
      }
      Object savepoint = setSavepoint(a, inner);
      int mark = a.hookMark();
      T result;
      try {
        result = body.run(inner);
      } catch (Throwable t) {
        if (!a.isDoomed()) {
          try {
            rollbackToSavepoint(a, inner, savepoint);
          } catch (RuntimeException e) {
            t.addSuppressed(e);
          }
          a.dropAfterCommitSince(mark);
          if (inner.ownDeadlinePassed() && !(t instanceof TransactionTimeoutException)) {
            // a statement cancelled at the block's own deadline: the caller sees the block's timeout
            throw overrun(inner, "its work was rolled back to its savepoint", t);
          }
        }
        throw t;
      }
      if (a.isDoomed()) {
        return result;
      }
      if (inner.ownDeadlinePassed()) {
        rollbackToSavepoint(a, inner, savepoint);
        a.dropAfterCommitSince(mark);
        throw overrun(inner, "its work was rolled back to its savepoint", null);
      }
      if (inner.isRollbackOnly()) {
        rollbackToSavepoint(a, inner, savepoint);
        a.dropAfterCommitSince(mark);
        if (!inner.rollbackOnlyAskedHere()) {
          throw new UnexpectedRollbackException("Nested block '" + options.name() + "' returned normally but its "
              + "work was rolled back to its savepoint: a block that joined it called setRollbackOnly()");
        }
      } else {
        releaseSavepoint(a, inner, savepoint);
      }
      return result;
    } finally {
      inner.end();
      a.innermost(previous);
      ThreadFrames.pop(inner);
    }
  }

  private static <C extends ResourceTransaction> Object setSavepoint(Attempt<C> a, Scope<C> block) {
    block.checkUsable();
    try {
      return a.transaction().setSavepoint();
    } catch (Throwable t) {
      throw block.failed(t, c -> Attempt.unchecked("savepoint failed in '" + block.options.name() + "' [SAVEPOINT]", t, c));
    }
  }

  private static <C extends ResourceTransaction> void rollbackToSavepoint(Attempt<C> a, Scope<C> block,
      Object savepoint) {
    try {
      a.transaction().rollbackToSavepoint(savepoint);
    } catch (Throwable t) {
      throw block.failed(t, c -> Attempt.unchecked("rollback to savepoint failed in '" + block.options.name()
          + "' [ROLLBACK TO SAVEPOINT]", t, c));
    }
  }

  private static <C extends ResourceTransaction> void releaseSavepoint(Attempt<C> a, Scope<C> block,
      Object savepoint) {
    try {
      a.transaction().releaseSavepoint(savepoint);
    } catch (Throwable t) {
      throw block.failed(t, c -> Attempt.unchecked("release savepoint failed in '" + block.options.name()
          + "' [RELEASE SAVEPOINT]", t, c));
    }
  }

  private static TransactionTimeoutException overrun(Scope<?> inner, String consequence, @Nullable Throwable cause) {
    long ms = Durations.nanos(Objects.requireNonNull(inner.options.timeout())) / 1_000_000L;
    return new TransactionTimeoutException("Nested block '" + inner.options.name() + "' ran past its timeout of " + ms
        + " ms; " + consequence, cause);
  }

  private static void checkCompatible(Scope<?> outer, TxOptions options) {
    TxOptions outerOptions = outer.options;
    Isolation wanted = options.isolation();
    if (wanted != Isolation.DEFAULT) {
      Isolation effective = outer.attempt.outermost().options.isolation();
      if (effective == Isolation.DEFAULT) {
        try {
          effective = outer.attempt.call.resource.defaultIsolation();
        } catch (Exception e) {
          throw new IllegalStateException("Could not learn the default isolation", e);
        }
      }
      if (effective != wanted) {
        throw new IllegalStateException("Nested transaction '" + options.name() + "' asks for isolation " + wanted
            + " but the enclosing transaction '" + outerOptions.name() + "' runs with " + effective + ". A "
            + "transaction's isolation cannot change once it started: give the outer transaction " + wanted
            + ", use Isolation.DEFAULT in the nested call, or Propagation.REQUIRES_NEW for a separate transaction");
      }
    }
    if (!options.readOnly() && outer.readOnly()) {
      throw new IllegalStateException("Nested transaction '" + options.name() + "' is read-write but the enclosing "
          + "transaction '" + outerOptions.name() + "' is read-only. Make the outer transaction read-write, or use "
          + "Propagation.REQUIRES_NEW");
    }
  }
}
