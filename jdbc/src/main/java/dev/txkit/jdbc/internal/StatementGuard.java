package dev.txkit.jdbc.internal;

import dev.txkit.jdbc.Database;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Refuses transaction-control SQL sent through {@code tx}'s wrappers or the managed connection's statements:
 * {@code COMMIT}, {@code ROLLBACK} (but not {@code ROLLBACK TO SAVEPOINT}), {@code BEGIN}, {@code START
 * TRANSACTION}, {@code SET autocommit}, {@code SET TRANSACTION}, {@code RELEASE SAVEPOINT}, two-phase commit, and
 * on MariaDB/MySQL {@code LOCK TABLES} / {@code UNLOCK TABLES}, which commit implicitly. Such a statement would
 * end or reconfigure txkit's transaction behind its back: rows would be committed although the callback then
 * fails.
 *
 * <p>Only the leading keywords of each statement are looked at, after whitespace and comments ({@code --},
 * {@code #}, nested {@code /* *}{@code /}); string literals, quoted identifiers and PostgreSQL dollar quotes are
 * skipped when a text holds several statements separated by semicolons. So {@code UPDATE commits ...} or
 * {@code SELECT 'COMMIT'} run as usual. The common case, one statement, costs one scan of its leading
 * characters and an {@code indexOf(';')}.
 *
 * <p>Stateless and thread-safe. Longer than most classes because it is a small lexer (comments, quotes, dollar
 * quoting, statement separators) and the list of refusals with their messages; both belong together.
 */
final class StatementGuard {

  private StatementGuard() {
  }

  /**
   * Checks one SQL text before it is sent.
   *
   * @param sql the SQL, possibly several statements
   * @param db the database (some statements only commit implicitly on some)
   * @param transaction the transaction's name, for the message
   * @throws IllegalStateException if a statement of it is transaction control
   */
  static void check(String sql, Database db, String transaction) {
    int i = 0;
    int n = sql.length();
    boolean several = sql.indexOf(';') >= 0;
    while (i < n) {
      String why = refusal(sql, i, db);
      if (why == BODY) {
        return; // the rest is the body of a routine or compound statement, whose semicolons are its own
      }
      if (why != null) {
        throw new IllegalStateException(why + " Refused in transaction '" + transaction + "': ["
            + TxScope.abbreviate(sql) + "]");
      }
      if (!several) {
        return;
      }
      i = nextStatement(sql, i, db.isMysqlFamily());
    }
  }

  /** Why the statement starting at {@code from} is refused, or null. */
  private static @Nullable String refusal(String sql, int from, Database db) {
    Words w = new Words(sql, from, db.isMysqlFamily());
    int start = w.skipToWord();
    if (start < 0 || !mayControl(sql, start, w.i - start)) {
      return null; // the common case, SELECT, INSERT, UPDATE ...: no allocation
    }
    String first = sql.substring(start, w.i).toUpperCase(Locale.ROOT);
    switch (first) {
      case "COMMIT":
      case "END":
        return first + " is transaction-control SQL: the transaction belongs to txkit, which commits when the "
            + "callback returns.";
      case "ROLLBACK":
      case "ABORT": {
        String second = w.next();
        if ("WORK".equals(second) || "TRANSACTION".equals(second)) {
          second = w.next();
        }
        if ("TO".equals(second)) {
          return null; // ROLLBACK TO [SAVEPOINT] name: undoes part of the work, the transaction goes on
        }
        return first + " is transaction-control SQL: the transaction belongs to txkit. Throw from the callback "
            + "or call tx.setRollbackOnly() to roll it back; to undo part of the work, use a nested "
            + "txs.inTransaction(...) block (a savepoint) or ROLLBACK TO SAVEPOINT.";
      }
      case "BEGIN": {
        String second = w.next();
        if ("NOT".equals(second)) {
          return BODY; // MariaDB's BEGIN NOT ATOMIC ... END: a compound statement, not a transaction
        }
        return alreadyOpen("BEGIN");
      }
      case "CREATE":
        for (int k = 0; k < 8; k++) {
          String word = w.next();
          if (word == null) {
            break;
          }
          if (ROUTINES.contains(word)) {
            return BODY;
          }
        }
        return null;
      case "START":
        return "TRANSACTION".equals(w.next()) ? alreadyOpen("START TRANSACTION") : null;
      case "SET":
        return set(w);
      case "RELEASE":
        return "RELEASE SAVEPOINT is transaction-control SQL that txkit does not allow: savepoints are released "
            + "when the transaction ends, and releasing one can release the savepoint of an enclosing nested "
            + "block, whose work txkit could then not undo.";
      case "XA":
        return "XA is transaction-control SQL: two-phase commit cannot run inside a txkit transaction.";
      case "PREPARE":
        return "TRANSACTION".equals(w.next()) ? "PREPARE TRANSACTION is transaction-control SQL: two-phase commit "
            + "cannot run inside a txkit transaction." : null;
      case "LOCK":
      case "UNLOCK": {
        String second = w.next();
        if (db.isMysqlFamily() && ("TABLES".equals(second) || "TABLE".equals(second))) {
          return first + " TABLES is transaction-control SQL on MariaDB and MySQL: it commits the open "
              + "transaction implicitly. Lock rows with tx.lockRows(...) or SELECT ... FOR UPDATE.";
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** What {@link #refusal} answers for a statement after which the rest of the text is a routine's body. */
  private static final String BODY = new String("body");

  /** Routines whose bodies hold semicolons of their own: CREATE [OR REPLACE] [DEFINER=...] FUNCTION ... */
  private static final Set<String> ROUTINES =
      Set.of("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE", "RULE");

  private static final String[][] BY_LENGTH = {{}, {}, {"XA"}, {"END", "SET"}, {"LOCK"}, {"ABORT", "BEGIN", "START"},
      {"COMMIT", "UNLOCK", "CREATE"}, {"RELEASE", "PREPARE"}, {"ROLLBACK"}};

  /** Whether the word at {@code start} is one a refused statement can start with. */
  private static boolean mayControl(String sql, int start, int length) {
    if (length >= BY_LENGTH.length) {
      return false;
    }
    for (String k : BY_LENGTH[length]) {
      if (sql.regionMatches(true, start, k, 0, length)) {
        return true;
      }
    }
    return false;
  }

  private static String alreadyOpen(String what) {
    return what + " is transaction-control SQL: txkit has already begun the transaction. Nest a block with "
        + "txs.inTransaction(...) for a savepoint, or use Propagation.REQUIRES_NEW for a separate transaction.";
  }

  /** {@code SET autocommit ...}, {@code SET TRANSACTION ...}, {@code SET SESSION CHARACTERISTICS ...}. */
  private static @Nullable String set(Words w) {
    String word = w.next();
    if ("SESSION".equals(word) || "LOCAL".equals(word) || "GLOBAL".equals(word)) {
      word = w.next();
      if ("CHARACTERISTICS".equals(word) || "TRANSACTION".equals(word)) {
        return transactionSettings();
      }
    }
    if ("TRANSACTION".equals(word)) {
      return transactionSettings();
    }
    // SET a = 1, autocommit = 0, @@session.autocommit = 0, SET AUTOCOMMIT FALSE (H2): any assignment to it
    while (word != null) {
      if (word.equals("AUTOCOMMIT")) {
        return "SET autocommit is transaction-control SQL: txkit turns autocommit off for the transaction and "
            + "restores it afterwards.";
      }
      word = w.next();
    }
    return null;
  }

  private static String transactionSettings() {
    return "SET TRANSACTION is transaction-control SQL: set the isolation and read-only of a txkit transaction "
        + "with TxOptions (isolation, readOnly), before it begins.";
  }

  /**
   * The index after the semicolon that ends the statement starting at {@code i}, skipping literals, quoted
   * identifiers, dollar quotes and comments; the text's length if it is the last statement.
   */
  private static int nextStatement(String s, int i, boolean backslashEscapes) {
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      switch (c) {
        case ';':
          return i + 1;
        case '\'':
        case '"':
        case '`':
          i = skipQuoted(s, i, c, backslashEscapes);
          break;
        case '-':
        case '/':
        case '#':
          int after = skipComment(s, i);
          i = after == i ? i + 1 : after;
          break;
        case '$':
          i = skipDollarQuoted(s, i);
          break;
        default:
          i++;
      }
    }
    return n;
  }

  /**
   * Skips a literal or quoted identifier; doubled quotes stay inside it, and so do backslash escapes where the
   * database has them (MariaDB and MySQL; PostgreSQL's standard strings and H2 take a backslash literally, so
   * {@code 'a\'} ends there).
   */
  private static int skipQuoted(String s, int i, char quote, boolean backslashEscapes) {
    int n = s.length();
    i++;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\\' && backslashEscapes && quote != '`') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && s.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  /** Skips a PostgreSQL dollar-quoted string ({@code $tag$ ... $tag$}); a lone {@code $} is one character. */
  private static int skipDollarQuoted(String s, int i) {
    int n = s.length();
    int j = i + 1;
    while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    if (j >= n || s.charAt(j) != '$' || (j > i + 1 && Character.isDigit(s.charAt(i + 1)))) {
      return i + 1; // $1 (a parameter) or a lone $
    }
    String tag = s.substring(i, j + 1);
    int end = s.indexOf(tag, j + 1);
    return end < 0 ? n : end + tag.length();
  }

  /** The index after the comment starting at {@code i}, or {@code i} if none starts there. */
  static int skipComment(String s, int i) {
    int n = s.length();
    char c = s.charAt(i);
    if (c == '#' || (c == '-' && i + 1 < n && s.charAt(i + 1) == '-')) {
      int eol = s.indexOf('\n', i);
      return eol < 0 ? n : eol + 1;
    }
    if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
      int depth = 1;
      int j = i + 2;
      while (j < n && depth > 0) {
        if (s.startsWith("*/", j)) {
          depth--;
          j += 2;
        } else if (s.startsWith("/*", j)) {
          depth++;
          j += 2;
        } else {
          j++;
        }
      }
      return j;
    }
    return i;
  }

  /** Reads the words of one statement: letters, digits, underscores and {@code @}; stops at its end. */
  private static final class Words {
    private final String s;
    private final boolean backslashEscapes;
    int i;
    private boolean ended;

    Words(String s, int from, boolean backslashEscapes) {
      this.s = s;
      this.i = from;
      this.backslashEscapes = backslashEscapes;
    }

    /** @return the next word in upper case, or null at the end of the statement */
    @Nullable String next() {
      int start = skipToWord();
      return start < 0 ? null : s.substring(start, i).toUpperCase(Locale.ROOT);
    }

    /**
     * Moves past the next word.
     *
     * @return where it starts, or -1 at the end of the statement
     */
    int skipToWord() {
      int n = s.length();
      while (!ended && i < n) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
          continue;
        }
        int after = skipComment(s, i);
        if (after != i) {
          i = after;
          continue;
        }
        if (c == ';') {
          ended = true;
          return -1;
        }
        if (c == '\'' || c == '"' || c == '`') {
          i = skipQuoted(s, i, c, backslashEscapes);
          continue;
        }
        if (Character.isLetterOrDigit(c) || c == '_') {
          int start = i;
          while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
            i++;
          }
          return start;
        }
        i++; // punctuation: '=', ',', '@', '.', '(' ...
      }
      return -1;
    }
  }
}
