package dev.txkit.internal;

import static dev.txkit.internal.AttemptState.ACTIVE;
import static dev.txkit.internal.AttemptState.BEGINNING;
import static dev.txkit.internal.AttemptState.CLOSED;
import static dev.txkit.internal.AttemptState.COMMITTED;
import static dev.txkit.internal.AttemptState.COMMITTING;
import static dev.txkit.internal.AttemptState.DOOMED;
import static dev.txkit.internal.AttemptState.ROLLED_BACK;
import static dev.txkit.internal.AttemptState.ROLLING_BACK;
import static dev.txkit.internal.AttemptState.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The attempt's transitions are exactly the documented ones; everything else is refused. */
class AttemptStateTest {

  private static final Map<AttemptState, Set<AttemptState>> ALLOWED = Map.of(
      BEGINNING, EnumSet.of(ACTIVE, CLOSED),
      ACTIVE, EnumSet.of(DOOMED, COMMITTING, ROLLING_BACK),
      DOOMED, EnumSet.of(ROLLING_BACK),
      COMMITTING, EnumSet.of(COMMITTED, UNKNOWN, ROLLING_BACK, ROLLED_BACK),
      ROLLING_BACK, EnumSet.of(ROLLED_BACK),
      COMMITTED, EnumSet.of(CLOSED),
      ROLLED_BACK, EnumSet.of(CLOSED),
      UNKNOWN, EnumSet.of(CLOSED),
      CLOSED, EnumSet.noneOf(AttemptState.class));

  @Test
  void everyTransitionIsCheckedAgainstTheDiagram() {
    for (AttemptState from : AttemptState.values()) {
      for (AttemptState to : AttemptState.values()) {
        assertEquals(ALLOWED.get(from).contains(to), from.canGo(to), from + " -> " + to);
      }
    }
  }

  @Test
  void statementsRunOnlyWhileActiveOrDoomed() {
    for (AttemptState s : AttemptState.values()) {
      assertEquals(s == ACTIVE || s == DOOMED, s.isOpen(), s.toString());
    }
  }
}
