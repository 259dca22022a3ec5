package dev.txkit.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * A data source over a real MariaDB pool whose first connection loses the reply to its COMMIT, in one of the ways
 * a network or server can, on the real server: the COMMIT is applied and its reply lost; the session is killed
 * from another session before the COMMIT reaches it; or the COMMIT never leaves the client and the session
 * lingers on the server with its transaction open (the server has not noticed the client is gone), where a late
 * COMMIT may still arrive. The connections the resolver takes afterwards can run that late COMMIT just before
 * their n-th statement, to replay each interleaving of the resolver with it.
 */
final class LostCommitDataSource implements java.lang.reflect.InvocationHandler {

  /** How the first connection's COMMIT is lost. */
  enum Mode {
    /** Committed on the server; the client sees a broken socket. */
    APPLIED,
    /** The session is killed by another session (KILL CONNECTION), then the COMMIT is sent into the dead socket. */
    KILLED,
    /** The COMMIT is never sent, the client sees a broken socket, and the server session lingers with its transaction. */
    LINGERING
  }

  private final DataSource pool;
  private final Mode mode;
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final AtomicInteger connections = new AtomicInteger();
  /** The real connection of the lost COMMIT (LINGERING): held open until {@link #closeHeld()}. */
  private final AtomicReference<Connection> held = new AtomicReference<>();
  final AtomicLong session = new AtomicLong();
  /** Before which statement of the first resolver connection the late COMMIT runs (LINGERING); -1 never. */
  private final int lateCommitBefore;
  private final AtomicInteger resolverStatements = new AtomicInteger();
  /** Set once the late COMMIT ran: whether the server accepted it. */
  final AtomicReference<Boolean> lateCommitted = new AtomicReference<>();

  private LostCommitDataSource(DataSource pool, Mode mode, int lateCommitBefore) {
    this.pool = pool;
    this.mode = mode;
    this.lateCommitBefore = lateCommitBefore;
  }

  /** A data source whose first connection loses its COMMIT's reply in the given way. */
  static DataSource of(DataSource pool, Mode mode) {
    return of(pool, mode, -1, new LostCommitDataSource[1]);
  }

  /**
   * A lingering lost COMMIT that arrives late, just before statement {@code lateCommitBefore} (0-based) of the
   * first connection taken after it (the resolver's).
   */
  static DataSource lateCommit(DataSource pool, int lateCommitBefore, LostCommitDataSource[] handle) {
    return of(pool, Mode.LINGERING, lateCommitBefore, handle);
  }

  private static DataSource of(DataSource pool, Mode mode, int lateCommitBefore, LostCommitDataSource[] handle) {
    LostCommitDataSource h = new LostCommitDataSource(pool, mode, lateCommitBefore);
    handle[0] = h;
    return (DataSource) Proxy.newProxyInstance(LostCommitDataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, h);
  }

  @Override
  public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
    Object r = call(m, pool, args);
    if (!m.getName().equals("getConnection")) {
      return r;
    }
    Connection c = (Connection) r;
    int n = connections.incrementAndGet();
    if (n == 1 && armed.get()) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
        rs.next();
        session.set(rs.getLong(1));
      }
      return losing(c);
    }
    if (n == 2 && lateCommitBefore >= 0) {
      return resolverWithLateCommit(c);
    }
    return c;
  }

  private Connection losing(Connection c) {
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
        (p, m, a) -> {
          String name = m.getName();
          if (name.equals("commit") && armed.compareAndSet(true, false)) {
            switch (mode) {
              case APPLIED:
                c.commit();
                throw new SQLNonTransientConnectionException("Socket error (test: the COMMIT's reply was lost)",
                    "08000");
              case KILLED:
                try (Connection killer = pool.getConnection(); Statement st = killer.createStatement()) {
                  st.execute("KILL CONNECTION " + session.get());
                }
                return call(m, c, a);
              default:
                held.set(c);
                throw new SQLNonTransientConnectionException("Socket error (test: the COMMIT never left)", "08000");
            }
          }
          if (held.get() == c && (name.equals("abort") || name.equals("close"))) {
            // the client gave the connection up; the server session does not know it yet
            return null;
          }
          return call(m, c, a);
        });
  }

  /** The first resolver connection: its statements run the late COMMIT first when their turn comes. */
  private Connection resolverWithLateCommit(Connection c) {
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
        (p, m, a) -> {
          Object r = call(m, c, a);
          if (r instanceof Statement) {
            Class<?> type = r instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            Statement st = (Statement) r;
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (p2, m2, a2) -> {
              if (m2.getName().startsWith("execute")) {
                beforeResolverStatement();
              }
              return call(m2, st, a2);
            });
          }
          return r;
        });
  }

  private void beforeResolverStatement() {
    if (resolverStatements.getAndIncrement() == lateCommitBefore) {
      lateCommit();
    }
  }

  /** Sends the lost COMMIT on the held connection now, if not yet: records whether the server accepted it. */
  void lateCommit() {
    Connection c = held.get();
    if (c == null || lateCommitted.get() != null) {
      return;
    }
    try {
      c.commit();
      lateCommitted.set(true);
    } catch (SQLException e) {
      lateCommitted.set(false);
    }
  }

  /** Closes the held connection (the pool discards it when the server ended it). */
  void closeHeld() {
    Connection c = held.getAndSet(null);
    if (c != null) {
      try {
        c.close();
      } catch (SQLException endedByTheServer) {
        // the pool rolls back what it hands back, which fails on a session the resolver ended: it evicts it
      }
    }
  }

  private static Object call(Method m, Object target, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
