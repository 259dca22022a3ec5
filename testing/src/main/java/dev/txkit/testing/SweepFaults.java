package dev.txkit.testing;

import dev.txkit.jdbc.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which kinds of failure a {@link Sweep} tries at which point, the {@link Fault} of each, and the same fault as
 * Java code: both are made from one description, so that the code a report prints arms exactly the fault that
 * ran.
 */
final class SweepFaults {

  private SweepFaults() {
  }

  /** A fault of a sweep, with its code and whether txkit is expected to hide it from the caller. */
  static final class Spec {
    private final Fault fault;
    private final String code;
    private final String description;
    private final boolean recovers;

    Spec(Fault fault, String code, String description, boolean recovers) {
      this.fault = fault;
      this.code = code;
      this.description = description;
      this.recovers = recovers;
    }

    Fault fault() {
      return fault;
    }

    /** @return e.g. {@code faults.inject(Fault.at(Point.COMMIT_AFTER).dropConnection());} */
    String code() {
      return code;
    }

    String description() {
      return description;
    }

    /** @return whether txkit's default retry policy retries this failure (the caller should not see it) */
    boolean recovers() {
      return recovers;
    }
  }

  /** Whether a kind of failure makes sense at the call's point. */
  static boolean applies(Call c, SweepKind k) {
    switch (c.point()) {
      case STATEMENT_BEFORE:
      case STATEMENT_AFTER:
      case BATCH:
        return k == SweepKind.TRANSIENT || k == SweepKind.NON_RETRYABLE || k == SweepKind.CONNECTION_LOSS;
      case COMMIT_BEFORE:
        return k == SweepKind.TRANSIENT || k == SweepKind.NON_RETRYABLE || k == SweepKind.CONNECTION_LOSS;
      case COMMIT_AFTER:
        return k == SweepKind.UNKNOWN_OUTCOME;
      case COMMIT_SILENT_ROLLBACK:
        return k == SweepKind.SILENT_ROLLBACK;
      default:
        // getConnection, begin, isolation, read-only, savepoints, the first row of a result, rollback, close
        return k == SweepKind.CONNECTION_LOSS;
    }
  }

  /** Whether an earlier call is counted by the triggers of the fault made for {@code site} (for {@code nth}). */
  static boolean sameSite(Call earlier, Call site) {
    if (earlier.point() != site.point()) {
      return false;
    }
    String sql = site.sql();
    if (sql != null && (earlier.sql() == null
        || !earlier.sql().toLowerCase(Locale.ROOT).contains(sql.toLowerCase(Locale.ROOT)))) {
      return false;
    }
    String tx = site.transaction();
    if (tx != null && !tx.equals(earlier.transaction())) {
      return false;
    }
    return site.attempt() <= 1 || earlier.attempt() == site.attempt();
  }

  /** The fault of one point and kind, on a database. */
  static Spec spec(Call c, int nth, SweepKind kind, Database db) {
    Fault f = Fault.at(c.point());
    List<String> triggers = new ArrayList<>();
    String sql = c.sql();
    if (sql != null) {
      f.when(Trigger.sqlContains(sql));
      triggers.add("Trigger.sqlContains(" + quote(sql) + ")");
    }
    String tx = c.transaction();
    if (tx != null) {
      f.when(Trigger.transaction(tx));
      triggers.add("Trigger.transaction(" + quote(tx) + ")");
    }
    if (c.attempt() > 1) {
      f.when(Trigger.attempt(c.attempt()));
      triggers.add("Trigger.attempt(" + c.attempt() + ")");
    }
    StringBuilder code = new StringBuilder("faults.inject(Fault.at(Point.").append(c.point().name()).append(')');
    if (!triggers.isEmpty()) {
      code.append("\n    .when(").append(String.join(", ", triggers)).append(')');
    }
    if (nth > 1) {
      f.nth(nth);
      code.append("\n    .nth(").append(nth).append(')');
    }
    String description;
    String payload = payload(c, kind);
    if (payload == null) {
      if (kind != SweepKind.SILENT_ROLLBACK) {
        f.dropConnection();
        code.append("\n    .dropConnection()");
        description = "the connection drops";
      } else {
        description = "COMMIT rolls back and reports success";
      }
    } else {
      Failure failure = failure(Failures.of(db), payload);
      f.fail(failure);
      code.append("\n    .fail(").append(catalogue(db)).append('.').append(payload).append("())");
      description = failure.toString();
    }
    code.append(");");
    boolean recovers = kind == SweepKind.TRANSIENT
        || (kind == SweepKind.CONNECTION_LOSS && c.point() != Point.COMMIT_BEFORE);
    return new Spec(f, code.toString(), description, recovers);
  }

  /** The name of the {@link Failures} method that makes the failure, or null for a dropped connection. */
  private static @Nullable String payload(Call c, SweepKind kind) {
    switch (kind) {
      case TRANSIENT:
        return c.point() == Point.COMMIT_BEFORE ? "serializationFailure" : "deadlock";
      case NON_RETRYABLE:
        if (c.point() == Point.COMMIT_BEFORE || c.point() == Point.BATCH) {
          return "uniqueViolation";
        }
        StatementKind sk = StatementKind.of(Objects.requireNonNull(c.sql()));
        boolean write = sk == StatementKind.INSERT || sk == StatementKind.UPDATE || sk == StatementKind.DELETE
            || sk == StatementKind.MERGE;
        return write ? "uniqueViolation" : "queryTimeout";
      case CONNECTION_LOSS:
        // no connection to drop yet: the pool reports the failure
        return c.point() == Point.GET_CONNECTION ? "connectionLost" : null;
      default:
        return null;
    }
  }

  private static Failure failure(Failures f, String name) {
    switch (name) {
      case "deadlock":
        return f.deadlock();
      case "serializationFailure":
        return f.serializationFailure();
      case "uniqueViolation":
        return f.uniqueViolation();
      case "queryTimeout":
        return f.queryTimeout();
      default:
        return f.connectionLost();
    }
  }

  /** @return the expression that gives the database's catalogue, e.g. {@code Failures.postgres()} */
  static String catalogue(Database db) {
    switch (db) {
      case POSTGRESQL:
        return "Failures.postgres()";
      case MARIADB:
        return "Failures.mariadb()";
      case MYSQL:
        return "Failures.mysql()";
      case H2:
        return "Failures.h2()";
      case ORACLE:
        return "Failures.oracle()";
      case SQL_SERVER:
        return "Failures.sqlServer()";
      case COCKROACHDB:
        return "Failures.cockroach()";
      default:
        return "Failures.of(Database." + db.name() + ")";
    }
  }

  /** @return the text as a Java string literal */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (ch < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
      }
    }
    return sb.append('"').toString();
  }
}
