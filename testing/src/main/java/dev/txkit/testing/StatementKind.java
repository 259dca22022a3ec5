package dev.txkit.testing;

import java.util.Locale;

/** What a SQL statement does, from its first keyword (after comments and parentheses). */
public enum StatementKind {
  /** {@code SELECT}, {@code WITH ... SELECT}, {@code VALUES}, {@code TABLE}, {@code SHOW}. */
  SELECT,
  /** {@code INSERT}, {@code REPLACE}. */
  INSERT,
  /** {@code UPDATE}. */
  UPDATE,
  /** {@code DELETE}. */
  DELETE,
  /** {@code MERGE}, {@code UPSERT}. */
  MERGE,
  /** {@code CREATE}, {@code ALTER}, {@code DROP}, {@code TRUNCATE}. */
  DDL,
  /** Anything else ({@code SET}, {@code CALL}, {@code LOCK}...). */
  OTHER;

  /**
   * The kind of a statement. {@code WITH} counts as {@link #SELECT} unless the statement contains a data
   * modifying keyword after it.
   *
   * @param sql the statement
   * @return its kind, {@link #OTHER} if unknown
   */
  public static StatementKind of(String sql) {
    String s = sql.stripLeading();
    while (true) {
      if (s.startsWith("--")) {
        int nl = s.indexOf('\n');
        s = nl < 0 ? "" : s.substring(nl + 1).stripLeading();
      } else if (s.startsWith("/*")) {
        int end = s.indexOf("*/");
        s = end < 0 ? "" : s.substring(end + 2).stripLeading();
      } else if (s.startsWith("(")) {
        s = s.substring(1).stripLeading();
      } else {
        break;
      }
    }
    int i = 0;
    while (i < s.length() && Character.isLetter(s.charAt(i))) {
      i++;
    }
    String word = s.substring(0, i).toUpperCase(Locale.ROOT);
    switch (word) {
      case "SELECT":
      case "VALUES":
      case "TABLE":
      case "SHOW":
        return SELECT;
      case "WITH": {
        String upper = s.toUpperCase(Locale.ROOT);
        for (StatementKind k : new StatementKind[] {INSERT, UPDATE, DELETE, MERGE}) {
          if (upper.matches("(?s).*\\)\\s*" + k.name() + "\\b.*")) {
            return k;
          }
        }
        return SELECT;
      }
      case "INSERT":
      case "REPLACE":
        return INSERT;
      case "UPDATE":
        return UPDATE;
      case "DELETE":
        return DELETE;
      case "MERGE":
      case "UPSERT":
        return MERGE;
      case "CREATE":
      case "ALTER":
      case "DROP":
      case "TRUNCATE":
        return DDL;
      default:
        return OTHER;
    }
  }
}
