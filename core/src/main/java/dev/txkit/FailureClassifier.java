package dev.txkit;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Classifies failures into a {@link Classification} with an ordered list of {@link FailureRule}s.
 *
 * <p>The classifier walks the whole failure: the throwable, its {@code getCause()} chain and, for
 * {@link SQLException}s, their {@code getNextException()} chains (a deadlock can hide inside a
 * {@code BatchUpdateException}), up to {@value #MAX_DEPTH} exceptions. Every {@code SQLException} found is
 * matched against the rules in order; the first rule that matches classifies that exception. Of all the
 * exceptions in the chain, a transaction-scope classification wins over a statement-scope one, and any
 * recognised kind wins over {@link FailureKind#OTHER}. Exceptions no rule matches fall back to the standard
 * {@code java.sql} exception subclasses, and finally to {@link Classification#UNRECOGNISED}.
 *
 * <p>Immutable and thread-safe.
 */
public final class FailureClassifier {

  /** The most exceptions examined in one failure's cause and next-exception chains. */
  public static final int MAX_DEPTH = 32;

  private final List<FailureRule> rules;

  private FailureClassifier(List<FailureRule> rules) {
    this.rules = rules;
  }

  /**
   * A classifier with the given rules, tried in order.
   *
   * @param rules the rules, most specific first
   * @return the classifier
   * @throws NullPointerException if {@code rules} or any rule is null
   */
  public static FailureClassifier of(List<FailureRule> rules) {
    return new FailureClassifier(List.copyOf(rules));
  }

  /**
   * A classifier that tries {@code first} before this classifier's rules: how users add rules without
   * replacing a database's defaults.
   *
   * @param first rules that take precedence
   * @return a new classifier
   * @throws NullPointerException if {@code first} or any rule in it is null
   */
  public FailureClassifier withRulesFirst(List<FailureRule> first) {
    if (first.isEmpty()) {
      return this;
    }
    List<FailureRule> all = new ArrayList<>(first.size() + rules.size());
    all.addAll(first);
    all.addAll(rules);
    return of(all);
  }

  /**
   * The rules, in the order they are tried.
   *
   * @return an unmodifiable list
   */
  public List<FailureRule> rules() {
    return rules;
  }

  /**
   * Classifies a failure.
   *
   * @param failure any throwable
   * @return its classification, never null
   * @throws NullPointerException if {@code failure} is null
   */
  public Classification classify(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    Classification best = null;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> pending = new ArrayList<>(4);
    pending.add(failure);
    while (!pending.isEmpty() && seen.size() < MAX_DEPTH) {
      Throwable t = pending.remove(pending.size() - 1);
      if (t == null || !seen.add(t)) {
        continue;
      }
      if (t instanceof SQLException) {
        SQLException e = (SQLException) t;
        Classification c = classifyOne(e);
        if (c.scope() == FailureScope.TRANSACTION && c.kind() != FailureKind.OTHER) {
          return c;
        }
        if (best == null || (best.kind() == FailureKind.OTHER && c.kind() != FailureKind.OTHER)) {
          best = c;
        }
        // the cause is examined after the next-exception chain (LIFO)
        pending.add(e.getCause());
        pending.add(e.getNextException());
      } else {
        pending.add(t.getCause());
      }
    }
    return best == null ? Classification.UNRECOGNISED : best;
  }

  private Classification classifyOne(SQLException e) {
    for (FailureRule rule : rules) {
      if (rule.matches(e)) {
        return rule.classification();
      }
    }
    if (e instanceof SQLTransactionRollbackException) {
      return new Classification(FailureKind.SERIALIZATION_FAILURE, FailureScope.TRANSACTION);
    }
    if (e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException
        || e instanceof SQLRecoverableException) {
      return new Classification(FailureKind.CONNECTION_LOST, FailureScope.TRANSACTION);
    }
    if (e instanceof SQLTimeoutException) {
      return new Classification(FailureKind.QUERY_TIMEOUT, FailureScope.STATEMENT);
    }
    if (e instanceof SQLIntegrityConstraintViolationException) {
      return new Classification(FailureKind.CONSTRAINT_VIOLATION, FailureScope.STATEMENT);
    }
    return Classification.UNRECOGNISED;
  }

  @Override
  public String toString() {
    return "FailureClassifier[" + rules.size() + " rules]";
  }
}
