package dev.txkit.testing;

import dev.txkit.FailureKind;
import dev.txkit.FailureScope;
import java.util.Objects;

/**
 * What the database server does after a statement fails inside a transaction: the part of a {@link Failure}
 * that the kit's emulation applies to the real connection, and against which txkit's classification tables are
 * tested. Each catalogue entry states its effect by hand, from a measurement against the real server where one
 * is possible (see {@link Failure#measured()} and {@code docs/databases.md}).
 *
 * <p>The effect is that of a failed statement. When {@code COMMIT} itself fails without losing the connection,
 * the transaction is over and nothing of it was committed, whatever the effect says (measured on PostgreSQL for
 * a serialization failure raised by {@code COMMIT}).
 *
 * <p>{@link #scope(FailureKind)} turns an effect into the {@link FailureScope} txkit must give the failure; it
 * is the one place where txkit's policy for PostgreSQL's aborted transactions is written down.
 */
public enum ServerEffect {

  /**
   * Only the failed statement was undone: the transaction is still open, keeps its earlier work and its locks,
   * and a {@code COMMIT} would persist that work (MariaDB's lock wait timeout 1205, H2's lock timeout, every
   * constraint violation outside PostgreSQL).
   */
  STATEMENT_ROLLED_BACK,

  /**
   * PostgreSQL's aborted transaction: the server has given up the transaction's work and released its locks,
   * every further statement fails with 25P02 until {@code ROLLBACK}, and {@code COMMIT} rolls back (pgjdbc
   * reports it as a success). A {@code ROLLBACK TO SAVEPOINT} taken before the failure rescues the transaction:
   * the work before the savepoint can still be committed. Every error inside a PostgreSQL transaction does this
   * (CockroachDB and YugabyteDB speak the same protocol).
   */
  TRANSACTION_ABORTED,

  /**
   * The server rolled the whole transaction back (savepoints included) and the connection stays usable; with
   * autocommit off the next statement silently starts a new transaction (MariaDB's and MySQL's deadlock 1213,
   * H2's 40001).
   */
  TRANSACTION_ROLLED_BACK,

  /**
   * The connection is gone (broken, killed or closed by the server); whatever was not committed is rolled back
   * by the server, and every further call fails as on a closed connection.
   */
  CONNECTION_GONE;

  /**
   * The scope txkit must give a failure of a kind with this effect: {@link FailureScope#TRANSACTION} when the
   * transaction is lost, {@link FailureScope#STATEMENT} when it can go on.
   *
   * <p>The rule: {@link #TRANSACTION_ROLLED_BACK} and {@link #CONNECTION_GONE} are transaction scope;
   * {@link #STATEMENT_ROLLED_BACK} is statement scope. {@link #TRANSACTION_ABORTED} is statement scope, because
   * a savepoint can rescue the transaction, except for a {@link FailureKind#DEADLOCK}, a
   * {@link FailureKind#SERIALIZATION_FAILURE} and an {@link FailureKind#OUTCOME_UNKNOWN}: by txkit's policy
   * those are transaction scope even inside a savepoint, because the transaction as a whole lost a conflict
   * (under SERIALIZABLE its {@code COMMIT} would fail again) and retrying the whole transaction is the remedy.
   *
   * @param kind the failure's kind
   * @return the scope
   * @throws NullPointerException if {@code kind} is null
   */
  public FailureScope scope(FailureKind kind) {
    Objects.requireNonNull(kind, "kind");
    switch (this) {
      case TRANSACTION_ROLLED_BACK:
      case CONNECTION_GONE:
        return FailureScope.TRANSACTION;
      case TRANSACTION_ABORTED:
        return kind == FailureKind.DEADLOCK || kind == FailureKind.SERIALIZATION_FAILURE
            || kind == FailureKind.OUTCOME_UNKNOWN ? FailureScope.TRANSACTION : FailureScope.STATEMENT;
      default:
        return FailureScope.STATEMENT;
    }
  }
}
