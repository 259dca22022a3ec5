package dev.txkit.jdbc;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The commit-marker resolver's settings: how txkit finds out, on MariaDB, MySQL and Galera (which have no
 * {@code pg_xact_status}), whether a transaction whose {@code COMMIT} lost its reply committed.
 *
 * <pre>{@code
 * Transactions txs = Transactions.builder(dataSource)
 *     .commitMarkers(CommitMarkers.table("txkit_commit_markers"))
 *     .build();
 * }</pre>
 *
 * <p>Turned on, every read-write transaction inserts one row, its marker (a unique key made by txkit, the
 * session's {@code CONNECTION_ID()} and the server's {@code @@hostname:@@port}), into the marker table as its
 * last statement before {@code COMMIT}: one extra statement per transaction. When the connection fails during
 * {@code COMMIT}, txkit looks the marker up on a new connection from the data source (another node, through the
 * pool or a multi-host URL):
 * <ul>
 *   <li>the marker is there: the transaction committed; the call succeeds, without a retry;</li>
 *   <li>it is not there: txkit inserts a row with the same key itself, marked {@code fenced}. The table's
 *       primary key lets only one of the two rows ever commit, so once the fencing row has committed the lost
 *       transaction never can, on a single server or anywhere in a Galera cluster (certification refuses the
 *       second of two write sets with the same key): it did not commit, and the call retries it. While the
 *       lost transaction's session still holds its marker's row lock, the fencing insert waits; if that session
 *       is on the server the resolver reached, txkit first ends it ({@code KILL CONNECTION}, only a session of
 *       the same user, only while that server has been up since the transaction ran);</li>
 *   <li>neither can be established within {@link #resolveTimeout()} (no node reachable, a cluster without
 *       quorum): the outcome stays unknown, and the caller gets
 *       {@link dev.txkit.CommitOutcomeUnknownException} as without markers.</li>
 * </ul>
 *
 * <p>Old markers are deleted by the transactions themselves: the first commit of each {@code Transactions} and
 * then every {@link #cleanupEvery()}-th deletes up to 1,000 markers older than {@link #retention()} (by the
 * servers' clocks) on its own connection after its commit, and the next commit again while it found a full batch.
 * A read-only transaction writes no marker; its lost COMMIT could change nothing and is reported as committed.
 *
 * <p>The table: create it with {@link #createTableSql()} (the README shows it), or let txkit create it on first
 * use ({@link Builder#createTable(boolean)}). Immutable and thread-safe. See {@code docs/databases.md}.
 */
public final class CommitMarkers {

  /** The table name used when the user names none: {@value}. */
  public static final String DEFAULT_TABLE = "txkit_commit_markers";

  private static final Pattern QUALIFIED = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

  private final String table;
  private final boolean createTable;
  private final Duration retention;
  private final Duration resolveTimeout;
  private final int cleanupEvery;

  private CommitMarkers(Builder b) {
    this.table = b.table;
    this.createTable = b.createTable;
    this.retention = b.retention;
    this.resolveTimeout = b.resolveTimeout;
    this.cleanupEvery = b.cleanupEvery;
  }

  /**
   * Markers in {@code table}, with the default settings (the table must exist).
   *
   * @param table the table, {@code name} or {@code schema.name}
   * @return the settings
   * @throws IllegalArgumentException if {@code table} is not a plain (optionally schema-qualified) identifier
   * @throws NullPointerException if {@code table} is null
   */
  public static CommitMarkers table(String table) {
    return builder(table).build();
  }

  /**
   * A builder for markers in {@code table}.
   *
   * @param table the table, {@code name} or {@code schema.name}
   * @return the builder
   * @throws IllegalArgumentException if {@code table} is not a plain (optionally schema-qualified) identifier
   * @throws NullPointerException if {@code table} is null
   */
  public static Builder builder(String table) {
    return new Builder(checkTable(table));
  }

  private static String checkTable(String table) {
    Objects.requireNonNull(table, "table");
    if (!QUALIFIED.matcher(table).matches()) {
      throw new IllegalArgumentException("The commit-marker table must be a plain identifier, optionally qualified "
          + "by its schema (letters, digits, '_' and '$', e.g. txkit_commit_markers or app.txkit_commit_markers), "
          + "not '" + table + "'");
    }
    return table;
  }

  /** @return the table */
  public String table() {
    return table;
  }

  /** @return whether txkit creates the table on first use if it is missing; default false */
  public boolean createTable() {
    return createTable;
  }

  /** @return how long a marker is kept; default 10 minutes */
  public Duration retention() {
    return retention;
  }

  /**
   * @return how long txkit tries to establish a lost commit's outcome before it reports it unknown (and never
   *     longer than the call's timeout); default 30 s
   */
  public Duration resolveTimeout() {
    return resolveTimeout;
  }

  /** @return every how many markers written a commit also deletes old markers; default 1,000 */
  public int cleanupEvery() {
    return cleanupEvery;
  }

  /**
   * The {@code CREATE TABLE} statement of the marker table, for MariaDB and MySQL.
   *
   * @return the DDL
   */
  public String createTableSql() {
    return createTableSql(table);
  }

  /**
   * The {@code CREATE TABLE} statement of a marker table, for MariaDB and MySQL: {@code id} the marker's key (6
   * bytes of the writer's clock in milliseconds, so that inserts go to the end of the index, then 10 random bytes),
   * {@code session} and {@code server} where the transaction ran, {@code created} the server's
   * {@code UNIX_TIMESTAMP()} (what the cleanup goes by), {@code fenced} true for a row the resolver wrote.
   *
   * @param table the table, {@code name} or {@code schema.name}
   * @return the DDL
   * @throws IllegalArgumentException if {@code table} is not a plain (optionally schema-qualified) identifier
   */
  public static String createTableSql(String table) {
    return "CREATE TABLE IF NOT EXISTS " + checkTable(table) + " (\n"
        + "  id BINARY(16) NOT NULL PRIMARY KEY,\n"
        + "  session BIGINT UNSIGNED NOT NULL,\n"
        + "  server VARCHAR(255) NOT NULL,\n"
        + "  created BIGINT NOT NULL,\n"
        + "  fenced BOOLEAN NOT NULL DEFAULT FALSE,\n"
        + "  KEY (created)\n"
        + ") ENGINE=InnoDB";
  }

  @Override
  public String toString() {
    return "CommitMarkers[table=" + table + ", createTable=" + createTable + ", retention=" + retention
        + ", resolveTimeout=" + resolveTimeout + ", cleanupEvery=" + cleanupEvery + "]";
  }

  /** Builds {@link CommitMarkers}. Not thread-safe. */
  public static final class Builder {
    private final String table;
    private boolean createTable;
    private Duration retention = Duration.ofMinutes(10);
    private Duration resolveTimeout = Duration.ofSeconds(30);
    private int cleanupEvery = 1_000;

    private Builder(String table) {
      this.table = table;
    }

    /**
     * Whether txkit creates the table ({@link #createTableSql()}) on first use if it is missing, on a connection of
     * its own before the first transaction begins. Default false: the table must exist.
     *
     * @param create true to create it
     * @return this builder
     */
    public Builder createTable(boolean create) {
      this.createTable = create;
      return this;
    }

    /**
     * How long a marker is kept. It must outlast the longest resolution by far: a marker deleted before its lost
     * commit is resolved would let the resolver fence a transaction that did commit. Whole seconds.
     *
     * @param retention at least one minute and more than twice the {@link #resolveTimeout}; default 10 minutes
     * @return this builder
     * @throws IllegalArgumentException if shorter than one minute
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException("Commit markers must be kept at least one minute (they must outlast the "
            + "resolution of a lost commit by far), not " + retention);
      }
      this.retention = retention;
      return this;
    }

    /**
     * How long txkit tries to establish a lost commit's outcome (reconnecting, waiting for a Galera node to be
     * evicted or a lingering session to end) before it reports the outcome unknown. The call waits that long at
     * most, and never past its own timeout.
     *
     * @param timeout positive; default 30 s (Galera's default takes 5-15 s to evict a node that died)
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder resolveTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("resolveTimeout must be positive, was " + timeout);
      }
      this.resolveTimeout = timeout;
      return this;
    }

    /**
     * Every how many markers written a commit also deletes old markers (up to 1,000 rows, one statement on its
     * connection after its commit). The first commit of each {@code Transactions} does too, and the next one
     * again while a cleanup found a full batch.
     *
     * @param commits at least 1; default 1,000
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder cleanupEvery(int commits) {
      if (commits < 1) {
        throw new IllegalArgumentException("cleanupEvery must be at least 1 (every commit), was " + commits);
      }
      this.cleanupEvery = commits;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     * @throws IllegalArgumentException if the retention is not more than twice the resolve timeout
     */
    public CommitMarkers build() {
      if (retention.compareTo(resolveTimeout.multipliedBy(2)) <= 0) {
        throw new IllegalArgumentException("The commit-marker retention (" + retention + ") must be more than twice "
            + "the resolveTimeout (" + resolveTimeout + "): a marker deleted while its lost commit is being resolved "
            + "would let txkit retry a transaction that committed. Keep markers longer, or resolve for less time");
      }
      return new CommitMarkers(this);
    }
  }
}
