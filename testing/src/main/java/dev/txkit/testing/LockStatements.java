package dev.txkit.testing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which row locks (or advisory locks) a statement takes, and in which order, recognised from its text and bound
 * parameters: {@code UPDATE} and {@code DELETE} of one table whose {@code WHERE} fixes the primary key
 * ({@code =} or {@code IN}, joined by {@code AND}), {@code SELECT ... FOR UPDATE} of one table likewise (what
 * {@code lockRows} sends), PostgreSQL's {@code pg_advisory_xact_lock} and MariaDB's {@code GET_LOCK} (what
 * {@code lockKeys} sends). Several keys of one statement are taken in key order, the order of an index scan.
 * Primary keys come from {@link PrimaryKeys}. Thread-safe.
 *
 * <p>Longer than most classes here (about 350 lines): it is one small grammar, the statement shapes above with the
 * positions of their placeholders; split by shape, the shared masking and condition splitting would be scattered.
 */
final class LockStatements {

  private static final String IDENT = "[A-Za-z_][A-Za-z0-9_$]*(?:\\.[A-Za-z_][A-Za-z0-9_$]*)?";
  private static final String ALIAS = "(?:\\s+(?:AS\\s+)?(?!SET\\b|WHERE\\b)([A-Za-z_][A-Za-z0-9_]*))?";
  private static final Pattern UPDATE = Pattern.compile("^\\s*UPDATE\\s+(" + IDENT + ")" + ALIAS
      + "\\s+SET\\s+(.*)$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern DELETE = Pattern.compile("^\\s*DELETE\\s+FROM\\s+(" + IDENT + ")" + ALIAS
      + "(\\s+.*)?$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern SELECT_FOR_UPDATE = Pattern.compile("^\\s*SELECT\\s+.*?\\s+FROM\\s+(" + IDENT + ")"
      + "(?:\\s+(?:AS\\s+)?(?!WHERE\\b|WITH\\b|ORDER\\b|FOR\\b)([A-Za-z_][A-Za-z0-9_]*))?(\\s+.*)?\\s+FOR\\s+UPDATE"
      + "(?:\\s+NOWAIT|\\s+SKIP\\s+LOCKED)?\\s*$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern JOIN = Pattern.compile("\\bJOIN\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern WHERE = Pattern.compile("\\bWHERE\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern TAIL = Pattern.compile("\\b(ORDER\\s+BY|LIMIT|RETURNING|FETCH|OFFSET)\\b",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern ADVISORY = Pattern.compile("\\b(pg_advisory_xact_lock|pg_advisory_lock|GET_LOCK)"
      + "\\s*\\(", Pattern.CASE_INSENSITIVE);
  private static final Pattern EQUALS = Pattern.compile("^(?:([A-Za-z_][A-Za-z0-9_]*)\\.)?([A-Za-z_][A-Za-z0-9_]*)"
      + "\\s*=\\s*(\\?|-?\\d+|'[^']*')$");
  private static final Pattern EQUALS_REVERSED = Pattern.compile("^(\\?|-?\\d+|'[^']*')\\s*=\\s*"
      + "(?:([A-Za-z_][A-Za-z0-9_]*)\\.)?([A-Za-z_][A-Za-z0-9_]*)$");
  private static final Pattern IN = Pattern.compile("^(?:([A-Za-z_][A-Za-z0-9_]*)\\.)?([A-Za-z_][A-Za-z0-9_]*)"
      + "\\s+IN\\s*\\((.*)\\)$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  /**
   * What a statement locks.
   *
   * @param keys the lock keys, in the order taken ({@code table:key}); empty for a statement that locks nothing
   *     this recognises
   * @param unrecognised why a statement that locks rows was not understood, or null
   */
  record Locks(List<String> keys, @Nullable String unrecognised) {
    static final Locks NONE = new Locks(List.of(), null);

    static Locks unrecognised(String why) {
      return new Locks(List.of(), why);
    }
  }

  private final PrimaryKeys keys = new PrimaryKeys();

  /** Declares a table's primary key (instead of reading it from the metadata). */
  void primaryKey(String table, List<String> columns) {
    keys.declare(table, columns);
  }

  /**
   * The locks a statement that ran takes.
   *
   * @param sql its text
   * @param params its bound parameters, by index from 1 (position 0 is parameter 1)
   * @param connection the connection it ran on, for the metadata; may be null
   */
  Locks locks(String sql, List<@Nullable Object> params, @Nullable Connection connection) {
    String masked = mask(sql);
    Matcher adv = ADVISORY.matcher(masked);
    if (adv.find()) {
      return advisory(masked, adv, params);
    }
    String table;
    String rest;
    Matcher m = UPDATE.matcher(masked);
    if (!m.matches()) {
      m = DELETE.matcher(masked);
    }
    if (!m.matches()) {
      m = SELECT_FOR_UPDATE.matcher(masked);
    }
    if (m.matches()) {
      table = m.group(1);
      rest = m.group(3) == null ? "" : m.group(3);
    } else {
      return Locks.NONE;
    }
    if (JOIN.matcher(masked).find()) {
      return Locks.unrecognised("it joins tables: the rows it locks depend on the data");
    }
    int restStart = m.start(3) < 0 ? masked.length() : m.start(3);
    Matcher w = WHERE.matcher(rest);
    if (!w.find()) {
      return Locks.unrecognised("no WHERE clause: it locks every row of " + table);
    }
    int condStart = restStart + w.end();
    String cond = rest.substring(w.end());
    Matcher tail = TAIL.matcher(cond);
    if (tail.find()) {
      cond = cond.substring(0, tail.start());
    }
    cond = cond.replaceAll("(?i)\\s+FOR\\s+UPDATE.*$", "");
    List<String> pk;
    try {
      pk = keys.of(table, connection);
    } catch (SQLException e) {
      return Locks.unrecognised("its table's primary key could not be read (" + e.getMessage() + "); declare it "
          + "with primaryKey(\"" + table + "\", ...)");
    }
    if (pk.isEmpty()) {
      return Locks.unrecognised("table " + table + " has no primary key the checker knows; declare it with "
          + "primaryKey(\"" + table + "\", ...)");
    }
    Map<String, List<Object>> bound = new LinkedHashMap<>();
    for (int[] part : conjuncts(cond)) {
      if (part[0] < 0) {
        return Locks.unrecognised("its WHERE clause has an OR: the rows it locks depend on the data");
      }
      String c = cond.substring(part[0], part[1]).trim();
      int offset = condStart + part[0] + (cond.substring(part[0], part[1]).length()
          - cond.substring(part[0], part[1]).stripLeading().length());
      bind(c, offset, sql, masked, params, bound);
    }
    List<List<Object>> columns = new ArrayList<>();
    for (String col : pk) {
      List<Object> values = bound.get(col);
      if (values == null) {
        return Locks.unrecognised("its WHERE clause does not fix the primary key " + pk + " of " + table);
      }
      columns.add(values);
    }
    List<List<Object>> tuples = new ArrayList<>();
    product(columns, 0, new ArrayList<>(), tuples);
    tuples.sort(TUPLES);
    List<String> keys = new ArrayList<>();
    String t = table.toLowerCase(Locale.ROOT);
    for (List<Object> tuple : tuples) {
      String k = t + ":" + String.join(",", tuple.stream().map(LockStatements::normal).toList());
      if (!keys.contains(k)) {
        keys.add(k);
      }
    }
    return new Locks(keys, null);
  }

  private static Locks advisory(String masked, Matcher adv, List<@Nullable Object> params) {
    int q = masked.indexOf('?', adv.end());
    if (q < 0) {
      return Locks.unrecognised("an advisory lock on a key that is not a bound parameter");
    }
    Object v = param(params, placeholderIndex(masked, q));
    String ns = adv.group(1).equalsIgnoreCase("GET_LOCK") ? "user lock" : "advisory lock";
    return new Locks(List.of(ns + ":" + normal(v)), null);
  }

  private static void bind(String c, int offset, String sql, String masked,
      List<@Nullable Object> params, Map<String, List<Object>> bound) {
    Matcher eq = EQUALS.matcher(c);
    Matcher rev = EQUALS_REVERSED.matcher(c);
    Matcher in = IN.matcher(c);
    if (eq.matches()) {
      bound.put(eq.group(2).toLowerCase(Locale.ROOT), List.of(value(eq.group(3), offset + eq.start(3), sql, masked,
          params)));
    } else if (rev.matches()) {
      bound.put(rev.group(3).toLowerCase(Locale.ROOT), List.of(value(rev.group(1), offset + rev.start(1), sql,
          masked, params)));
    } else if (in.matches()) {
      List<Object> values = new ArrayList<>();
      int start = offset + in.start(3);
      String list = in.group(3);
      int from = 0;
      for (int i = 0; i <= list.length(); i++) {
        if (i == list.length() || list.charAt(i) == ',') {
          String item = list.substring(from, i);
          String trimmed = item.trim();
          if (!trimmed.isEmpty()) {
            values.add(value(trimmed, start + from + item.indexOf(trimmed), sql, masked, params));
          }
          from = i + 1;
        }
      }
      bound.put(in.group(2).toLowerCase(Locale.ROOT), values);
    }
  }

  private static Object value(String token, int position, String sql, String masked, List<@Nullable Object> params) {
    if (token.equals("?")) {
      return String.valueOf(param(params, placeholderIndex(masked, position)));
    }
    if (token.startsWith("'")) {
      // the literal's text, from the unmasked statement
      return sql.substring(position + 1, position + token.length() - 1);
    }
    return token;
  }

  private static @Nullable Object param(List<@Nullable Object> params, int index) {
    return index < params.size() ? params.get(index) : null;
  }

  /** @return the index (from 0) of the placeholder at a position of the masked statement */
  private static int placeholderIndex(String masked, int position) {
    int n = 0;
    for (int i = 0; i < position; i++) {
      if (masked.charAt(i) == '?') {
        n++;
      }
    }
    return n;
  }

  /**
   * The top-level conjuncts of a condition, as {start, end} offsets; {-1, -1} if it has a top-level OR.
   */
  private static List<int[]> conjuncts(String cond) {
    List<int[]> out = new ArrayList<>();
    String upper = cond.toUpperCase(Locale.ROOT);
    int depth = 0;
    int start = 0;
    boolean between = false;
    for (int i = 0; i < cond.length(); i++) {
      char ch = cond.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (depth == 0 && word(upper, i, "OR")) {
        out.add(new int[] {-1, -1});
        return out;
      } else if (depth == 0 && word(upper, i, "BETWEEN")) {
        between = true;
      } else if (depth == 0 && word(upper, i, "AND")) {
        if (between) {
          between = false;
        } else {
          out.add(new int[] {start, i});
          start = i + 3;
        }
      }
    }
    out.add(new int[] {start, cond.length()});
    return out;
  }

  private static boolean word(String s, int i, String w) {
    if (!s.startsWith(w, i)) {
      return false;
    }
    boolean before = i == 0 || (!Character.isLetterOrDigit(s.charAt(i - 1)) && s.charAt(i - 1) != '_');
    int e = i + w.length();
    boolean after = e >= s.length() || (!Character.isLetterOrDigit(s.charAt(e)) && s.charAt(e) != '_');
    return before && after;
  }

  /** The statement with string literals, quoted identifiers and comments blanked (same length). */
  static String mask(String sql) {
    char[] out = sql.toCharArray();
    int i = 0;
    while (i < out.length) {
      char ch = out[i];
      if (ch == '\'' || ch == '"' || ch == '`') {
        int j = i + 1;
        while (j < out.length && out[j] != ch) {
          j++;
        }
        for (int k = i + 1; k < j && k < out.length; k++) {
          out[k] = 'x';
        }
        i = j + 1;
      } else if (ch == '-' && i + 1 < out.length && out[i + 1] == '-') {
        while (i < out.length && out[i] != '\n') {
          out[i++] = ' ';
        }
      } else if (ch == '/' && i + 1 < out.length && out[i + 1] == '*') {
        while (i < out.length && !(out[i] == '*' && i + 1 < out.length && out[i + 1] == '/')) {
          out[i++] = ' ';
        }
        if (i + 1 < out.length) {
          out[i] = ' ';
          out[i + 1] = ' ';
          i += 2;
        }
      } else {
        i++;
      }
    }
    return new String(out);
  }

  private static void product(List<List<Object>> columns, int i, List<Object> prefix, List<List<Object>> out) {
    if (i == columns.size()) {
      out.add(List.copyOf(prefix));
      return;
    }
    for (Object v : columns.get(i)) {
      prefix.add(v);
      product(columns, i + 1, prefix, out);
      prefix.remove(prefix.size() - 1);
    }
  }

  private static final Comparator<List<Object>> TUPLES = (a, b) -> {
    for (int i = 0; i < a.size(); i++) {
      int c = compare(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  };

  private static int compare(Object a, Object b) {
    BigDecimal x = number(a);
    BigDecimal y = number(b);
    if (x != null && y != null) {
      return x.compareTo(y);
    }
    return String.valueOf(a).compareTo(String.valueOf(b));
  }

  private static @Nullable BigDecimal number(Object v) {
    try {
      return new BigDecimal(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A key's text: numbers without trailing zeros, so that 1, 1L and 1.0 are the same key. */
  static String normal(@Nullable Object v) {
    BigDecimal n = v == null ? null : number(v);
    return n != null ? n.stripTrailingZeros().toPlainString() : Objects.toString(v);
  }
}
