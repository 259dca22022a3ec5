package dev.txkit.cluster;

import dev.txkit.FailureKind;
import dev.txkit.GiveUpEvent;
import dev.txkit.RetryEvent;
import dev.txkit.TransactionListener;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What txkit reported to its listeners: attempts, retries by failure kind, unknown outcomes, give-ups. */
final class Counters implements TransactionListener {

  final LongAdder begins = new LongAdder();
  final LongAdder commits = new LongAdder();
  final LongAdder unknownOutcomes = new LongAdder();
  final LongAdder giveUps = new LongAdder();
  private final Map<FailureKind, AtomicLong> retries = new EnumMap<>(FailureKind.class);

  Counters() {
    for (FailureKind k : FailureKind.values()) {
      retries.put(k, new AtomicLong());
    }
  }

  @Override
  public void onBegin(String transactionName, int attempt) {
    begins.increment();
  }

  @Override
  public void onCommit(String transactionName, int attempt) {
    commits.increment();
  }

  @Override
  public void onRetry(RetryEvent event) {
    retries.get(event.classification().kind()).incrementAndGet();
  }

  @Override
  public void onGiveUp(GiveUpEvent event) {
    giveUps.increment();
  }

  @Override
  public void onOutcomeUnknown(String transactionName, int attempt, Throwable failure) {
    unknownOutcomes.increment();
  }

  /** @return retries after failures of this kind */
  long retries(FailureKind kind) {
    return retries.get(kind).get();
  }

  /** @return all retries */
  long retries() {
    long n = 0;
    for (AtomicLong a : retries.values()) {
      n += a.get();
    }
    return n;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("attempts=" + begins.sum() + " commits=" + commits.sum() + " retries="
        + retries() + " {");
    for (Map.Entry<FailureKind, AtomicLong> e : retries.entrySet()) {
      if (e.getValue().get() > 0) {
        sb.append(' ').append(e.getKey()).append('=').append(e.getValue().get());
      }
    }
    return sb.append(" } unknownOutcomes=").append(unknownOutcomes.sum()).append(" giveUps=").append(giveUps.sum())
        .toString();
  }
}
