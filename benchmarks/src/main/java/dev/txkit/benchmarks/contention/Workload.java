package dev.txkit.benchmarks.contention;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * What the threads of a contention run do: the tables, the transaction, and the invariant the database must
 * hold afterwards. Implementations are immutable and thread-safe.
 */
public interface Workload {

  /** @return the name used on the command line and in the report, e.g. {@code transfer-random} */
  String id();

  /** @return one sentence for the report */
  String description();

  /**
   * Creates and fills the tables, once before the runs of this workload on a target.
   *
   * @param target the target
   * @param c a connection to it (autocommit on)
   * @throws Exception if setting up fails
   */
  void setUp(Target target, Connection c) throws Exception;

  /**
   * Brings the tables to the state a run starts from (cheap; before every run).
   *
   * @param c a connection (autocommit on)
   * @throws SQLException if it fails
   */
  void reset(Connection c) throws SQLException;

  /**
   * Reads what the invariant needs before a run, if anything.
   *
   * @param c a connection (autocommit on)
   * @return a snapshot handed to {@link #check}
   * @throws SQLException if it fails
   */
  long[] snapshot(Connection c) throws SQLException;

  /**
   * Checks the invariant against the database after a run in which {@code committed} calls committed.
   *
   * @param c a connection (autocommit on)
   * @param before what {@link #snapshot} read before the run
   * @param committed calls that committed (returned normally and were not declined)
   * @return null if it holds, otherwise what is wrong
   * @throws SQLException if it fails
   */
  @Nullable String check(Connection c, long[] before, long committed) throws SQLException;

  /**
   * Drops the tables this workload created.
   *
   * @param c a connection (autocommit on)
   * @throws SQLException if it fails
   */
  void tearDown(Connection c) throws SQLException;

  /**
   * Chooses the next transaction.
   *
   * @param random the calling thread's random numbers
   * @return the operation
   */
  Operation next(SplittableRandom random);
}
