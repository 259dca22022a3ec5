package dev.txkit;

import java.sql.SQLException;
import java.util.Objects;

/**
 * The database reported a failure for a statement or a commit that txkit ran for you. The subclass names the
 * kind ({@link DeadlockException}, {@link SerializationFailureException}, ...); this class itself is used for
 * {@link FailureKind#OTHER}. The original {@link SQLException} is the cause.
 */
public class DatabaseFailureException extends TransactionException {
  private static final long serialVersionUID = 1L;

  private final Classification classification;

  /**
   * @param message what happened
   * @param cause the driver's exception
   * @param classification how txkit classified it
   */
  public DatabaseFailureException(String message, SQLException cause, Classification classification) {
    super(message, Objects.requireNonNull(cause, "cause"));
    this.classification = Objects.requireNonNull(classification, "classification");
  }

  /**
   * Wraps a driver exception in the subclass that names its kind.
   *
   * @param message what txkit was doing
   * @param cause the driver's exception
   * @param classification its classification
   * @return the exception to throw
   */
  public static DatabaseFailureException of(String message, SQLException cause, Classification classification) {
    String m = message + ": " + cause.getMessage() + " [SQLState " + cause.getSQLState() + ", vendor code "
        + cause.getErrorCode() + ", " + classification.kind() + ", " + classification.scope() + " scope]";
    switch (classification.kind()) {
      case SERIALIZATION_FAILURE:
        return new SerializationFailureException(m, cause, classification);
      case DEADLOCK:
        return new DeadlockException(m, cause, classification);
      case LOCK_TIMEOUT:
      case LOCK_NOT_AVAILABLE:
        return new LockFailureException(m, cause, classification);
      case CONNECTION_LOST:
        return new ConnectionLostException(m, cause, classification);
      case QUERY_TIMEOUT:
        return new QueryTimeoutException(m, cause, classification);
      case CONSTRAINT_VIOLATION:
        return new ConstraintViolationException(m, cause, classification);
      default:
        return new DatabaseFailureException(m, cause, classification);
    }
  }

  /** @return the classification */
  public Classification classification() {
    return classification;
  }

  /** @return the failure kind */
  public FailureKind kind() {
    return classification.kind();
  }

  /** @return what the server already undid */
  public FailureScope scope() {
    return classification.scope();
  }

  /** @return the driver's exception */
  public SQLException sqlException() {
    return (SQLException) Objects.requireNonNull(getCause(), "cause");
  }

  /** @return the SQLState of the driver's exception, possibly null */
  public String sqlState() {
    return sqlException().getSQLState();
  }
}
