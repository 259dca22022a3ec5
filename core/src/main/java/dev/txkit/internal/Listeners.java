package dev.txkit.internal;

import dev.txkit.GiveUpEvent;
import dev.txkit.RetryEvent;
import dev.txkit.TransactionListener;
import dev.txkit.TransactionStats;
import dev.txkit.TransactionWarning;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The one path by which the engine tells listeners (and retry policy callbacks) what happens: every call is
 * protected, so that a listener that throws is reported as a warning and never changes a transaction's outcome.
 * Loops instead of lambdas: notifying allocates nothing.
 */
final class Listeners {

  private static String threw(String name, String event) {
    return "[" + name + "] a transaction listener threw in " + event + "; ignored";
  }

  private final TransactionListener[] all;
  private final BiConsumer<String, Throwable> warnings;

  Listeners(TransactionListener[] all, BiConsumer<String, Throwable> warnings) {
    this.all = all;
    this.warnings = warnings;
  }

  boolean isEmpty() {
    return all.length == 0;
  }

  /** @return whether any listener wants the statement figures of the statistics */
  boolean wantStatistics() {
    for (TransactionListener l : all) {
      try {
        if (l.wantsStatistics()) {
          return true;
        }
      } catch (RuntimeException e) {
        warnings.accept("a transaction listener threw in wantsStatistics; ignored (statistics are measured)", e);
        return true;
      }
    }
    return false;
  }

  void warning(TransactionWarning warning) {
    for (TransactionListener l : all) {
      try {
        l.onWarning(warning);
      } catch (RuntimeException e) {
        String name = warning.transactionName();
        warnings.accept(threw(name == null ? "-" : name, "onWarning"), e);
      }
    }
  }

  void begin(String name, int attempt) {
    for (TransactionListener l : all) {
      try {
        l.onBegin(name, attempt);
      } catch (RuntimeException e) {
        warnings.accept(threw(name, "onBegin"), e);
      }
    }
  }

  void commit(String name, int attempt) {
    for (TransactionListener l : all) {
      try {
        l.onCommit(name, attempt);
      } catch (RuntimeException e) {
        warnings.accept(threw(name, "onCommit"), e);
      }
    }
  }

  void rollback(String name, int attempt, @Nullable Throwable cause) {
    for (TransactionListener l : all) {
      try {
        l.onRollback(name, attempt, cause);
      } catch (RuntimeException e) {
        warnings.accept(threw(name, "onRollback"), e);
      }
    }
  }

  void retry(RetryEvent event, @Nullable Consumer<RetryEvent> policyCallback) {
    if (policyCallback != null) {
      try {
        policyCallback.accept(event);
      } catch (RuntimeException e) {
        warnings.accept("[" + event.transactionName() + "] a retry policy's onRetry callback threw; ignored", e);
      }
    }
    for (TransactionListener l : all) {
      try {
        l.onRetry(event);
      } catch (RuntimeException e) {
        warnings.accept(threw(event.transactionName(), "onRetry"), e);
      }
    }
  }

  void giveUp(GiveUpEvent event, @Nullable Consumer<GiveUpEvent> policyCallback) {
    if (policyCallback != null) {
      try {
        policyCallback.accept(event);
      } catch (RuntimeException e) {
        warnings.accept("[" + event.transactionName() + "] a retry policy's onGiveUp callback threw; ignored", e);
      }
    }
    for (TransactionListener l : all) {
      try {
        l.onGiveUp(event);
      } catch (RuntimeException e) {
        warnings.accept(threw(event.transactionName(), "onGiveUp"), e);
      }
    }
  }

  void outcomeUnknown(String name, int attempt, Throwable failure) {
    for (TransactionListener l : all) {
      try {
        l.onOutcomeUnknown(name, attempt, failure);
      } catch (RuntimeException e) {
        warnings.accept(threw(name, "onOutcomeUnknown"), e);
      }
    }
  }

  void hookFailure(String name, Throwable failure) {
    warnings.accept("[" + name + "] a completion hook failed; the transaction's outcome stands", failure);
    for (TransactionListener l : all) {
      try {
        l.onHookFailure(name, failure);
      } catch (RuntimeException e) {
        warnings.accept(threw(name, "onHookFailure"), e);
      }
    }
  }

  void concurrencyLimit(String name, int limit, int queued) {
    for (TransactionListener l : all) {
      try {
        l.onConcurrencyLimit(name, limit, queued);
      } catch (RuntimeException e) {
        warnings.accept(threw(name, "onConcurrencyLimit"), e);
      }
    }
  }

  void complete(TransactionStats stats) {
    for (TransactionListener l : all) {
      try {
        l.onComplete(stats);
      } catch (RuntimeException e) {
        warnings.accept(threw(stats.transactionName(), "onComplete"), e);
      }
    }
  }
}
