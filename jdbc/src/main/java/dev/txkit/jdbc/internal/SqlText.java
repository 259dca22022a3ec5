package dev.txkit.jdbc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What txkit needs to know of a SQL statement's text: its keywords, outside comments, string literals and
 * quoted identifiers. Not a parser: enough to tell a statement that writes from one that does not.
 */
final class SqlText {

  private static final Set<String> WRITES = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE",
      "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "GRANT", "REVOKE", "COMMENT", "COPY");
  private static final Set<String> MODIFYING = Set.of("INSERT", "UPDATE", "DELETE", "MERGE");

  private SqlText() {
  }

  /**
   * The keywords of a statement, upper case, in order, at most {@code limit} of them.
   *
   * @param sql the statement
   * @param limit how many to read
   * @return the keywords
   */
  static List<String> keywords(String sql, int limit) {
    List<String> words = new ArrayList<>(Math.min(limit, 8));
    int n = sql.length();
    int i = 0;
    while (i < n && words.size() < limit) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (c == '\'' || c == '"' || c == '`') {
        i = skipQuoted(sql, i, c);
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
            || sql.charAt(i) == '$')) {
          i++;
        }
        words.add(sql.substring(start, i).toUpperCase(Locale.ROOT));
      } else {
        i++;
      }
    }
    return words;
  }

  private static int skipQuoted(String sql, int from, char quote) {
    int i = from + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return i;
  }

  /**
   * Whether a statement writes: data changes, DDL, grants. A {@code WITH} query writes when it has a data-modifying
   * part ({@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}, but not {@code FOR UPDATE}). A function
   * with side effects called from a {@code SELECT} is not seen.
   *
   * @param sql the statement
   * @return whether it writes
   */
  static boolean writes(String sql) {
    List<String> first = keywords(sql, 1);
    if (first.isEmpty()) {
      return false;
    }
    String word = first.get(0);
    if (WRITES.contains(word)) {
      return true;
    }
    if (!word.equals("WITH")) {
      return false;
    }
    List<String> all = keywords(sql, Integer.MAX_VALUE);
    for (int i = 1; i < all.size(); i++) {
      String w = all.get(i);
      if (MODIFYING.contains(w)) {
        String before = all.get(i - 1);
        if (!(w.equals("UPDATE") && (before.equals("FOR") || before.equals("KEY")))) {
          return true;
        }
      }
    }
    return false;
  }
}
