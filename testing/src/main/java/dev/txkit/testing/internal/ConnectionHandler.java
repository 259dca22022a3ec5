package dev.txkit.testing.internal;

import dev.txkit.jdbc.Database;
import dev.txkit.testing.Failures;
import dev.txkit.testing.Point;
import dev.txkit.testing.Recorder;
import dev.txkit.testing.ServerEffect;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The proxy behind a {@link Connection}: fault points on transaction control, emulation of the server's state
 * after a failure (PostgreSQL's aborted transaction, a rolled-back transaction, a dropped connection). What the
 * server does is the catalogue entry's own {@link ServerEffect} (see {@link ServerModel}), never txkit's
 * classification.
 *
 * <p>Longer than most classes: it is the one {@link InvocationHandler} of {@link Connection}, and every fault
 * point on transaction control and the emulation read and change the same per-connection state (autocommit,
 * savepoints, PostgreSQL's aborted state, dropped); split, that state would have to be shared.
 */
final class ConnectionHandler implements InvocationHandler {

  final Hub hub;
  final Connection real;
  final ConnectionRecord record;
  final int id;
  @Nullable Connection proxy;
  private volatile boolean dropped;
  private volatile boolean closed;
  private volatile @Nullable SQLException aborted;
  /** The database whose aborted state is emulated (the failure's), for the 25P02 it answers with. */
  private volatile Database abortedIn = Database.POSTGRESQL;
  private volatile boolean autoCommit;
  private int savepoints;
  private final List<StatementHandler> statements = new ArrayList<>();

  ConnectionHandler(Hub hub, Connection real, ConnectionRecord record) {
    this.hub = hub;
    this.real = real;
    this.record = record;
    this.id = record.id();
    boolean ac = true;
    try {
      ac = real.getAutoCommit();
    } catch (SQLException e) {
      // keep the JDBC default
    }
    this.autoCommit = ac;
  }

  @Override
  public @Nullable Object invoke(Object p, Method m, Object @Nullable [] args) throws Throwable {
    String name = m.getName();
    if (m.getDeclaringClass() == Object.class) {
      switch (name) {
        case "equals":
          return args != null && p == args[0];
        case "hashCode":
          return System.identityHashCode(p);
        default:
          return "FaultyConnection#" + id + "[" + real + "]";
      }
    }
    switch (name) {
      case "unwrap": {
        Class<?> iface = (Class<?>) Hub.arg0(args);
        return iface.isInstance(p) ? p : Hub.invoke(real, m, args);
      }
      case "isWrapperFor":
        return ((Class<?>) Hub.arg0(args)).isInstance(p) || Boolean.TRUE.equals(Hub.invoke(real, m, args));
      case "close":
        return close(m);
      case "isClosed":
        if (dropped || closed) {
          return true;
        }
        return Hub.invoke(real, m, args);
      case "isValid":
        if (dropped) {
          return false;
        }
        return Hub.invoke(real, m, args);
      case "abort":
        return abort(m, args);
      default:
        break;
    }
    if (dropped) {
      throw fail("Connection." + name, null, closedException());
    }
    switch (name) {
      case "commit":
        commit(m);
        return null;
      case "rollback":
        if (args == null || args.length == 0) {
          rollback(m);
        } else {
          rollbackTo(m, args);
        }
        return null;
      case "setSavepoint":
        checkNotAborted("Connection.setSavepoint", null);
        Object sp = atPoint(Point.SAVEPOINT_SET, m, args, false);
        savepoints++;
        return sp;
      case "releaseSavepoint":
        checkNotAborted("Connection.releaseSavepoint", null);
        atPoint(Point.SAVEPOINT_RELEASE, m, args, false);
        savepoints = Math.max(0, savepoints - 1);
        return null;
      case "setAutoCommit":
        return setAutoCommit(m, args);
      case "setTransactionIsolation":
        return atPoint(Point.SET_ISOLATION, m, args, false);
      case "setReadOnly":
        return atPoint(Point.SET_READ_ONLY, m, args, false);
      case "createStatement":
      case "prepareStatement":
      case "prepareCall":
        return statement(m, args);
      default:
        try {
          return Hub.invoke(real, m, args);
        } catch (Throwable t) {
          hub.record(id, "Connection." + name, null, t, null, null);
          throw t;
        }
    }
  }

  // ---- transaction control ----------------------------------------------------------------------------

  private void commit(Method m) throws Throwable {
    String caller = Hub.caller("commit");
    if (aborted != null && !autoCommit) {
      // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK; pgjdbc 42.7 reports success (measured)
      realRollback();
      aborted = null;
      savepoints = 0;
      hub.record(id, "Connection.commit", null, null, new Recorder.FiredFault("emulated PostgreSQL aborted state",
          Point.COMMIT_SILENT_ROLLBACK, false, "transaction was aborted: COMMIT rolled it back, reported success"),
          caller);
      return;
    }
    Directive before = hub.interceptor.decide(Point.COMMIT_BEFORE, id, null);
    if (before != null) {
      SQLException e = exceptionOf(before);
      String effect;
      if (before.kind == Directive.Kind.DROP || before.emulate && isLost(before, e)) {
        drop();
        effect = "not committed; connection dropped";
      } else {
        realRollback();
        aborted = null;
        savepoints = 0;
        effect = "not committed; rolled back on the server";
      }
      hub.record(id, "Connection.commit", null, e, new Recorder.FiredFault(before.description, Point.COMMIT_BEFORE,
          false, effect), caller);
      throw e;
    }
    Directive silent = hub.interceptor.decide(Point.COMMIT_SILENT_ROLLBACK, id, null);
    if (silent != null) {
      realRollback();
      savepoints = 0;
      hub.record(id, "Connection.commit", null, null, new Recorder.FiredFault(silent.description,
          Point.COMMIT_SILENT_ROLLBACK, false, "rolled back, reported success"), caller);
      return;
    }
    try {
      real.commit();
    } catch (SQLException | RuntimeException e) {
      hub.record(id, "Connection.commit", null, e, null, caller);
      throw e;
    }
    savepoints = 0;
    Directive after = hub.interceptor.decide(Point.COMMIT_AFTER, id, null);
    if (after != null) {
      SQLException e = exceptionOf(after);
      String effect = "committed; client sees the failure";
      if (after.kind == Directive.Kind.DROP || after.emulate && isLost(after, e)) {
        drop();
        effect = "committed; connection dropped before the reply";
      }
      hub.record(id, "Connection.commit", null, e, new Recorder.FiredFault(after.description, Point.COMMIT_AFTER,
          true, effect), caller);
      throw e;
    }
    hub.record(id, "Connection.commit", null, null, null, caller);
  }

  private void rollback(Method m) throws Throwable {
    String caller = Hub.caller("rollback");
    Directive d = hub.interceptor.decide(Point.ROLLBACK, id, null);
    if (d != null) {
      SQLException e = exceptionOf(d);
      String effect = "not rolled back";
      if (d.kind == Directive.Kind.DROP || d.emulate && isLost(d, e)) {
        drop();
        effect = "connection dropped (the server rolls back)";
      }
      hub.record(id, "Connection.rollback", null, e, new Recorder.FiredFault(d.description, Point.ROLLBACK, false,
          effect), caller);
      throw e;
    }
    try {
      real.rollback();
    } catch (SQLException | RuntimeException e) {
      hub.record(id, "Connection.rollback", null, e, null, caller);
      throw e;
    }
    aborted = null;
    savepoints = 0;
    hub.record(id, "Connection.rollback", null, null, null, caller);
  }

  private void rollbackTo(Method m, Object @Nullable [] args) throws Throwable {
    atPoint(Point.SAVEPOINT_ROLLBACK, m, args, false);
    aborted = null;
  }

  private @Nullable Object setAutoCommit(Method m, Object @Nullable [] args) throws Throwable {
    boolean on = (boolean) Hub.arg0(args);
    Object r;
    if (!on && autoCommit) {
      r = atPoint(Point.BEGIN, m, args, true);
    } else {
      if (on && !autoCommit && aborted != null) {
        // turning autocommit on commits, and PostgreSQL rolls an aborted transaction back instead
        realRollback();
        aborted = null;
      }
      r = atPoint(null, m, args, true);
    }
    autoCommit = on;
    if (on) {
      savepoints = 0;
    }
    return r;
  }

  private @Nullable Object close(Method m) throws Throwable {
    if (closed) {
      return null;
    }
    String caller = Hub.caller("close");
    Directive d = dropped ? null : hub.interceptor.decide(Point.CLOSE, id, null);
    String state = dropped ? null : ConnectionRecord.stateOf(real);
    markClosed(state);
    try {
      real.close();
    } catch (SQLException | RuntimeException e) {
      if (!dropped) {
        hub.record(id, "Connection.close", null, e, null, caller);
        throw e;
      }
    }
    if (d != null) {
      SQLException e = exceptionOf(d);
      hub.record(id, "Connection.close", null, e, new Recorder.FiredFault(d.description, Point.CLOSE, true,
          "closed; client sees the failure"), caller);
      throw e;
    }
    hub.record(id, "Connection.close", null, null, null, caller);
    return null;
  }

  /** Aborts the connection: evicted from the pool it came from, or aborted, and closed so it does not leak. */
  private @Nullable Object abort(Method m, Object @Nullable [] args) throws Throwable {
    boolean wasClosed = closed;
    markClosed(null);
    hub.record(id, "Connection.abort", null, null, null, Hub.caller("abort"));
    if (dropped || wasClosed) {
      return null;
    }
    if (!hub.evictFromPool(real)) {
      Hub.invoke(real, m, args);
    }
    try {
      real.close();
    } catch (SQLException | RuntimeException ignored) {
      // aborted: closing is only to hand it back
    }
    return null;
  }

  private void markClosed(@Nullable String state) {
    closed = true;
    record.closing(state);
    if (proxy != null) {
      hub.closed(proxy);
    }
    synchronized (statements) {
      for (StatementHandler s : statements) {
        s.markClosed();
      }
      statements.clear();
    }
  }

  /** A call at a point that fails before the real call is made (not applied). */
  private @Nullable Object atPoint(@Nullable Point point, Method m, Object @Nullable [] args, boolean withCaller)
      throws Throwable {
    String method = "Connection." + m.getName() + (args != null && args.length == 1 && !(args[0] instanceof
        java.sql.Savepoint) ? "(" + args[0] + ")" : "");
    String caller = withCaller ? Hub.caller(m.getName()) : null;
    Directive d = point == null ? null : hub.interceptor.decide(point, id, null);
    if (d != null) {
      SQLException e = exceptionOf(d);
      String effect = onFailure(d, e);
      hub.record(id, method, null, e, new Recorder.FiredFault(d.description, Objects.requireNonNull(point), false,
          effect), caller);
      throw e;
    }
    try {
      Object r = Hub.invoke(real, m, args);
      hub.record(id, method, null, null, null, caller);
      return r;
    } catch (Throwable t) {
      hub.record(id, method, null, t, null, caller);
      throw t;
    }
  }

  private Object statement(Method m, Object @Nullable [] args) throws Throwable {
    Object st;
    try {
      st = Hub.invoke(real, m, args);
    } catch (Throwable t) {
      hub.record(id, "Connection." + m.getName(), null, t, null, null);
      throw t;
    }
    Class<?> iface = m.getReturnType();
    String sql = args != null && args.length > 0 && args[0] instanceof String ? (String) args[0] : null;
    StatementHandler h = new StatementHandler(this, (Statement) Objects.requireNonNull(st), iface, sql);
    Object proxy = Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {iface}, h);
    h.proxy = proxy;
    synchronized (statements) {
      statements.add(h);
    }
    hub.opened(proxy, (iface == CallableStatement.class ? "callable statement" : iface == PreparedStatement.class
        ? "prepared statement" : "statement") + " on connection " + id + (sql != null ? " [" + sql + "]" : ""));
    return proxy;
  }

  void statementClosed(StatementHandler h) {
    synchronized (statements) {
      statements.remove(h);
    }
  }

  // ---- emulation -----------------------------------------------------------------------------------------

  /** Fails unless statements may run: not dropped, and not in PostgreSQL's aborted state. */
  void checkUsable(String method, @Nullable String sql) throws SQLException {
    if (dropped) {
      throw fail(method, sql, closedException());
    }
    checkNotAborted(method, sql);
  }

  private void checkNotAborted(String method, @Nullable String sql) throws SQLException {
    SQLException cause = aborted;
    if (cause != null && !autoCommit) {
      // pgjdbc attaches the failure that aborted the transaction as the cause of every 25P02 (measured)
      SQLException e = Failures.of(abortedIn).inFailedTransaction().get();
      e.initCause(cause);
      throw fail(method, sql, e);
    }
  }

  SQLException fail(String method, @Nullable String sql, SQLException e) {
    hub.record(id, method, sql, e, null, null);
    return e;
  }

  SQLException exceptionOf(Directive d) {
    if (d.kind == Directive.Kind.FAIL && d.exception != null) {
      return d.exception;
    }
    return Failures.of(hub.database()).connectionLost().get();
  }

  /** What the server did after the failure the directive threw, from the catalogue. */
  private ServerModel.Verdict verdict(Directive d, SQLException e) {
    return ServerModel.judge(d.entry, hub.database(), e);
  }

  private boolean isLost(Directive d, SQLException e) {
    return verdict(d, e).effect() == ServerEffect.CONNECTION_GONE;
  }

  /**
   * What the server does after a failure of a call inside a transaction, applied to the real connection.
   *
   * @return the effect, for the trace
   */
  String onFailure(Directive d, SQLException e) {
    if (d.kind == Directive.Kind.DROP) {
      drop();
      return "connection dropped";
    }
    if (!d.emulate) {
      return "thrown without emulation";
    }
    ServerEffect effect = verdict(d, e).effect();
    if (effect == ServerEffect.CONNECTION_GONE) {
      drop();
      return "connection dropped";
    }
    if (autoCommit) {
      return "autocommit: no transaction to affect";
    }
    switch (effect) {
      case TRANSACTION_ABORTED:
        if (savepoints == 0) {
          // the server aborted the transaction and released its locks; it waits for ROLLBACK
          realRollback();
        }
        Database db = d.entry != null ? d.entry.database() : hub.database();
        abortedIn = db.isPostgresFamily() ? db : Database.POSTGRESQL;
        aborted = e;
        return "PostgreSQL aborted state: later statements fail with 25P02 until rollback"
            + (savepoints == 0 ? "; work rolled back" : "");
      case TRANSACTION_ROLLED_BACK:
        realRollback();
        savepoints = 0;
        return "transaction rolled back on the server; connection stays usable";
      default:
        return "statement-only failure: the transaction stays open";
    }
  }

  void realRollback() {
    try {
      real.rollback();
    } catch (SQLException | RuntimeException ignored) {
      // the connection may already be gone; nothing more to undo
    }
  }

  /** Breaks the connection for good: rolled back, closed (or evicted from its pool), every later call fails. */
  void drop() {
    if (dropped) {
      return;
    }
    dropped = true;
    record.dropped();
    if (!autoCommit) {
      realRollback();
    }
    if (!hub.evictFromPool(real)) {
      try {
        real.abort(Runnable::run);
      } catch (SQLException | RuntimeException | LinkageError ignored) {
        // closed below
      }
    }
    try {
      real.close();
    } catch (SQLException | RuntimeException ignored) {
      // already broken
    }
  }

  boolean isDropped() {
    return dropped;
  }

  SQLException closedException() {
    return Failures.of(hub.database()).connectionClosed().get();
  }

  SQLException lostException() {
    return Failures.of(hub.database()).connectionLost().get();
  }
}
