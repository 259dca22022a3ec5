package dev.txkit.testing.internal;

import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import dev.txkit.jdbc.Database;
import dev.txkit.testing.Failure;
import dev.txkit.testing.Failures;
import dev.txkit.testing.ServerEffect;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the server did after a call failed, as the kit's emulation and the {@link dev.txkit.testing.Recorder}
 * see it, from the {@link Failures} catalogue and never from txkit's classifier: the entry's own effect when the
 * fault's payload is a catalogue entry; else the entry of the database's catalogue that the exception is; else,
 * for an exception the catalogue does not know, the meaning the SQL standard and JDBC give its SQLState class and
 * exception class (08 and the connection exception classes: the connection is gone; 40 and
 * {@link SQLTransactionRollbackException}: the transaction was rolled back; anything else: only the statement
 * failed), with PostgreSQL's aborted state on the PostgreSQL family.
 */
public final class ServerModel {

  private static final int MAX_CHAIN = 32;

  /**
   * What the server did, and the scope that implies.
   *
   * @param effect what the server did
   * @param scope the failure's scope
   */
  public record Verdict(ServerEffect effect, FailureScope scope) {
  }

  private ServerModel() {
  }

  /**
   * Judges a failure.
   *
   * @param entry the catalogue entry the fault threw, or null for another payload or a real failure
   * @param db the database whose server to judge by
   * @param failure what the call threw
   * @return the verdict
   */
  public static Verdict judge(@Nullable Failure entry, Database db, Throwable failure) {
    if (entry != null) {
      return new Verdict(entry.serverEffect(), entry.scope());
    }
    Optional<Failure> known = Failures.of(db).identify(failure);
    if (known.isPresent()) {
      return new Verdict(known.get().serverEffect(), known.get().scope());
    }
    return standard(db, failure);
  }

  private static Verdict standard(Database db, Throwable failure) {
    boolean rolledBack = false;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> pending = new ArrayDeque<>();
    pending.add(failure);
    while (!pending.isEmpty() && seen.size() < MAX_CHAIN) {
      Throwable t = pending.removeFirst();
      if (!seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException) {
        SQLException e = (SQLException) t;
        String state = e.getSQLState();
        if (state != null && state.startsWith("08") || e instanceof SQLNonTransientConnectionException
            || e instanceof SQLTransientConnectionException || e instanceof SQLRecoverableException) {
          return new Verdict(ServerEffect.CONNECTION_GONE, FailureScope.TRANSACTION);
        }
        if (state != null && state.startsWith("40") || e instanceof SQLTransactionRollbackException) {
          rolledBack = true;
        }
        if (e.getNextException() != null) {
          pending.add(e.getNextException());
        }
      }
      if (t.getCause() != null) {
        pending.add(t.getCause());
      }
    }
    ServerEffect effect = db.isPostgresFamily() ? ServerEffect.TRANSACTION_ABORTED : rolledBack
        ? ServerEffect.TRANSACTION_ROLLED_BACK : ServerEffect.STATEMENT_ROLLED_BACK;
    return new Verdict(effect, rolledBack ? FailureScope.TRANSACTION : effect.scope(FailureKind.OTHER));
  }
}
