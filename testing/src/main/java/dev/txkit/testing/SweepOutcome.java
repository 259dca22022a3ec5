package dev.txkit.testing;

import dev.txkit.CommitOutcomeUnknownException;
import org.jspecify.annotations.Nullable;

/**
 * What the caller of a {@link Sweep}'s unit of work saw in one run: the value it returned or what it threw, with
 * the failure injected in that run (none in the clean run). Handed to the sweep's invariant.
 *
 * @param value what the unit returned, or null (also when it threw)
 * @param failure what the unit threw, or null when it returned
 * @param point where the run's fault was injected, or null in the clean run
 * @param kind the kind of failure injected, or null in the clean run
 * @param attempts the attempts of the txkit transactions the unit ran, added up (0 when it ran none)
 */
public record SweepOutcome(@Nullable Object value, @Nullable Throwable failure, @Nullable Point point,
    @Nullable SweepKind kind, int attempts) {

  /** @return whether the unit returned normally */
  public boolean returned() {
    return failure == null;
  }

  /** @return whether the unit threw {@link CommitOutcomeUnknownException}: its work may or may not be committed */
  public boolean outcomeUnknown() {
    return failure instanceof CommitOutcomeUnknownException;
  }

  /** @return whether this is the clean run, with no fault */
  public boolean clean() {
    return point == null;
  }

  /** @return what the caller saw, in a few words: {@code "returned"} or the exception's simple class name */
  public String seen() {
    Throwable f = failure;
    return f == null ? "returned" : f.getClass().getSimpleName();
  }
}
