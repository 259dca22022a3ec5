package dev.txkit;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One row of a classification table: which {@link SQLException}s it matches and how they are classified.
 *
 * <p>A rule matches an exception when every condition it sets holds: the SQLState (exactly, or by prefix when
 * the rule's SQLState ends with {@code *}), the vendor code, and a case-insensitive substring of the message.
 * Conditions left {@code null} match anything. Immutable and thread-safe.
 *
 * @param sqlState SQLState to match, {@code "08*"} for a class prefix, or {@code null} for any
 * @param vendorCode vendor error code to match, or {@code null} for any
 * @param messageContains case-insensitive message fragment to match, or {@code null} for any
 * @param classification the classification given to a matching exception
 * @param description short human description, used in documentation and test catalogues
 */
public record FailureRule(
    @Nullable String sqlState,
    @Nullable Integer vendorCode,
    @Nullable String messageContains,
    Classification classification,
    String description) {

  /**
   * Creates a rule.
   *
   * @param sqlState the SQLState to match, a prefix ending in {@code *}, or null for any
   * @param vendorCode the vendor code to match, or null for any
   * @param messageContains text the message must contain (case-insensitive), or null for any
   * @param classification what a matching failure is
   * @param description what the rule recognises, for messages and documentation
   * @throws NullPointerException if {@code classification} or {@code description} is null
   * @throws IllegalArgumentException if the rule sets no condition at all
   */
  public FailureRule {
    Objects.requireNonNull(classification, "classification");
    Objects.requireNonNull(description, "description");
    if (sqlState == null && vendorCode == null && messageContains == null) {
      throw new IllegalArgumentException("A failure rule must match on at least one of SQLState, vendor code "
          + "or message; rule '" + description + "' sets none");
    }
    if (messageContains != null) {
      messageContains = messageContains.toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A rule on SQLState alone.
   *
   * @param sqlState SQLState, or a class prefix ending with {@code *}
   * @param kind kind to classify as
   * @param scope scope to classify as
   * @param description short description
   * @return the rule
   */
  public static FailureRule ofSqlState(String sqlState, FailureKind kind, FailureScope scope, String description) {
    return new FailureRule(Objects.requireNonNull(sqlState, "sqlState"), null, null,
        new Classification(kind, scope), description);
  }

  /**
   * A rule on SQLState and vendor code.
   *
   * @param sqlState SQLState (or prefix ending with {@code *}), or null for any
   * @param vendorCode vendor error code
   * @param kind kind to classify as
   * @param scope scope to classify as
   * @param description short description
   * @return the rule
   */
  public static FailureRule ofVendorCode(@Nullable String sqlState, int vendorCode, FailureKind kind,
      FailureScope scope, String description) {
    return new FailureRule(sqlState, vendorCode, null, new Classification(kind, scope), description);
  }

  /**
   * Whether this rule matches the given exception (only the exception itself, not its chain).
   *
   * @param e the exception
   * @return true if every condition of this rule holds
   */
  public boolean matches(SQLException e) {
    if (sqlState != null) {
      String state = e.getSQLState();
      if (state == null) {
        return false;
      }
      if (sqlState.endsWith("*")) {
        if (!state.startsWith(sqlState.substring(0, sqlState.length() - 1))) {
          return false;
        }
      } else if (!sqlState.equals(state)) {
        return false;
      }
    }
    if (vendorCode != null && vendorCode != e.getErrorCode()) {
      return false;
    }
    if (messageContains != null) {
      String message = e.getMessage();
      return message != null && message.toLowerCase(Locale.ROOT).contains(messageContains);
    }
    return true;
  }
}
