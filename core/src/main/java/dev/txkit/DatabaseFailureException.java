package dev.txkit;

import java.sql.SQLException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The database reported a failure for a statement or a commit that txkit ran for you. The subclass names the
 * kind ({@link DeadlockException}, {@link SerializationFailureException}, ...); this class itself is used for
 * {@link FailureKind#OTHER}. The original {@link SQLException} is the cause.
 */
public class DatabaseFailureException extends TransactionException {
  private static final long serialVersionUID = 1L;

  /** How txkit classified the failure. */
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
   * The most characters of the driver's message that {@link #of} copies into txkit's message. Some drivers put
   * the whole statement and its bound values into their message (H2 does), which can be megabytes for a large
   * statement; the driver's exception, the cause, keeps its full text.
   */
  public static final int MAX_DRIVER_MESSAGE = 300;

  /**
   * Wraps a driver exception in the subclass that names its kind. The message is {@code message}, then the
   * start of the driver's message (at most {@value #MAX_DRIVER_MESSAGE} characters, its first lines), then the
   * SQLState, vendor code and classification. txkit never adds bound values of its own.
   *
   * @param message what txkit was doing
   * @param cause the driver's exception
   * @param classification its classification
   * @return the exception to throw
   */
  public static DatabaseFailureException of(String message, SQLException cause, Classification classification) {
    String m = message + ": " + excerpt(cause.getMessage()) + " [SQLState " + cause.getSQLState() + ", vendor code "
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
      case POOL_EXHAUSTED:
        return new PoolExhaustedException(m, cause, classification);
      case QUERY_TIMEOUT:
        return new QueryTimeoutException(m, cause, classification);
      case CONSTRAINT_VIOLATION:
        return new ConstraintViolationException(m, cause, classification);
      default:
        return new DatabaseFailureException(m, cause, classification);
    }
  }

  /**
   * The start of a driver's message, as copied into txkit's messages.
   *
   * @param driverMessage the driver's message, possibly null
   * @return at most {@value #MAX_DRIVER_MESSAGE} characters of it, marked when cut
   */
  public static String excerpt(@Nullable String driverMessage) {
    if (driverMessage == null) {
      return "(no message)";
    }
    String s = driverMessage.strip();
    if (s.length() <= MAX_DRIVER_MESSAGE) {
      return s;
    }
    return s.substring(0, MAX_DRIVER_MESSAGE) + "... (" + (s.length() - MAX_DRIVER_MESSAGE) + " more characters "
        + "in the cause)";
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
