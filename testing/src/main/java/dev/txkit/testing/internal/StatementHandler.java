package dev.txkit.testing.internal;

import dev.txkit.testing.Point;
import dev.txkit.testing.Recorder;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** The proxy behind a {@link Statement}, {@link PreparedStatement} or {@link java.sql.CallableStatement}. */
final class StatementHandler implements InvocationHandler {

  /** Stands for a bound SQL NULL in the parameters shown to the trace's observers. */
  private static final Object NULL = new Object();

  private final ConnectionHandler connection;
  private final Statement real;
  private final Class<?> iface;
  private final @Nullable String sql;
  @Nullable Object proxy;
  private volatile boolean closed;
  /** Parameter setters and addBatch calls of a prepared statement, replayed to apply part of a batch. */
  private final List<Object[]> calls = new ArrayList<>();
  private int batchStart;
  private final List<String> batchSql = new ArrayList<>();
  private final List<Object> resultSets = new ArrayList<>();

  StatementHandler(ConnectionHandler connection, Statement real, Class<?> iface, @Nullable String sql) {
    this.connection = connection;
    this.real = real;
    this.iface = iface;
    this.sql = sql;
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
          return "Faulty" + iface.getSimpleName() + "[" + real + "]";
      }
    }
    switch (name) {
      case "unwrap": {
        Class<?> c = (Class<?>) Hub.arg0(args);
        return c.isInstance(p) ? p : Hub.invoke(real, m, args);
      }
      case "isWrapperFor":
        return ((Class<?>) Hub.arg0(args)).isInstance(p) || Boolean.TRUE.equals(Hub.invoke(real, m, args));
      case "getConnection":
        return connection.proxy;
      case "close":
        markClosed();
        connection.statementClosed(this);
        return Hub.invoke(real, m, args);
      case "isClosed":
        return closed || connection.isDropped() || Boolean.TRUE.equals(Hub.invoke(real, m, args));
      case "execute":
      case "executeQuery":
      case "executeUpdate":
      case "executeLargeUpdate":
        return execute(m, args);
      case "executeBatch":
      case "executeLargeBatch":
        return executeBatch(m, args);
      case "addBatch":
        if (args != null && args.length == 1) {
          batchSql.add((String) args[0]);
        } else {
          calls.add(new Object[] {m, args});
        }
        return Hub.invoke(real, m, args);
      case "clearBatch":
        batchSql.clear();
        batchStart = calls.size();
        return Hub.invoke(real, m, args);
      case "clearParameters":
        calls.add(new Object[] {m, args});
        return Hub.invoke(real, m, args);
      default:
        if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
          calls.add(new Object[] {m, args});
        }
        Object r = Hub.invoke(real, m, args);
        return r instanceof ResultSet && m.getReturnType() == ResultSet.class ? wrap((ResultSet) r, sql) : r;
    }
  }

  private String method(Method m) {
    return iface.getSimpleName() + "." + m.getName();
  }

  private @Nullable Object execute(Method m, Object @Nullable [] args) throws Throwable {
    String text = args != null && args.length > 0 && args[0] instanceof String ? (String) args[0] : sql;
    String method = method(m);
    Hub hub = connection.hub;
    connection.checkUsable(method, text);
    Directive before = hub.interceptor.decide(Point.STATEMENT_BEFORE, connection.id, text);
    if (before != null) {
      SQLException e = connection.exceptionOf(before);
      String effect = connection.onFailure(before, e);
      hub.record(connection.id, method, text, e, new Recorder.FiredFault(before.description,
          Point.STATEMENT_BEFORE, false, "statement not run; " + effect), null);
      throw e;
    }
    Object r;
    try {
      r = Hub.invoke(real, m, args);
    } catch (Throwable t) {
      hub.record(connection.id, method, text, t, null, null);
      throw t;
    }
    Directive after = hub.interceptor.decide(Point.STATEMENT_AFTER, connection.id, text);
    if (after != null) {
      if (r instanceof ResultSet) {
        ((ResultSet) r).close();
      }
      SQLException e = connection.exceptionOf(after);
      String effect = connection.onFailure(after, e);
      hub.record(connection.id, method, text, e, new Recorder.FiredFault(after.description, Point.STATEMENT_AFTER,
          true, "statement applied; " + effect), null);
      throw e;
    }
    hub.recordStatement(connection.id, method, text, this::currentParameters, connection.real);
    return r instanceof ResultSet ? wrap((ResultSet) r, text) : r;
  }

  private @Nullable Object executeBatch(Method m, Object @Nullable [] args) throws Throwable {
    String text = sql != null ? sql : String.join("; ", batchSql);
    String method = method(m);
    Hub hub = connection.hub;
    connection.checkUsable(method, text);
    Directive d = hub.interceptor.decide(Point.BATCH, connection.id, text);
    if (d == null) {
      try {
        Object r = Hub.invoke(real, m, args);
        hub.recordStatement(connection.id, method, text, this::batchParameters, connection.real);
        return r;
      } catch (Throwable t) {
        hub.record(connection.id, method, text, t, null, null);
        throw t;
      } finally {
        batchSql.clear();
        batchStart = calls.size();
      }
    }
    SQLException e = connection.exceptionOf(d);
    if (d.kind == Directive.Kind.DROP) {
      String effect = connection.onFailure(d, e);
      hub.record(connection.id, method, text, e, new Recorder.FiredFault(d.description, Point.BATCH, false,
          effect), null);
      throw e;
    }
    int[] counts = applyFirstRows(d.batchRows);
    String message = connection.hub.database().isPostgresFamily()
        ? "Batch entry " + counts.length + " " + text + " was aborted: " + e.getMessage()
            + "  Call getNextException to see other errors in the batch."
        : e.getMessage();
    BatchUpdateException bue = new BatchUpdateException(message, e.getSQLState(), e.getErrorCode(), counts, null);
    bue.setNextException(e);
    String effect = connection.onFailure(d, e);
    hub.record(connection.id, method, text, bue, new Recorder.FiredFault(d.description, Point.BATCH,
        counts.length > 0, counts.length + " row(s) applied before the failure; " + effect), null);
    throw bue;
  }

  /** Replaces the batch by its first rows and runs them. */
  private int[] applyFirstRows(int rows) throws SQLException {
    real.clearBatch();
    int added = 0;
    try {
      if (rows > 0) {
        if (sql == null) {
          for (String s : batchSql) {
            if (added == rows) {
              break;
            }
            real.addBatch(s);
            added++;
          }
        } else {
          for (int i = 0; i < calls.size(); i++) {
            Object[] call = calls.get(i);
            Method cm = (Method) call[0];
            boolean isAdd = cm.getName().equals("addBatch");
            if (isAdd && i < batchStart) {
              continue;
            }
            if (isAdd && added == rows) {
              break;
            }
            Hub.invoke(real, cm, (Object[]) call[1]);
            if (isAdd) {
              added++;
            }
          }
        }
      }
      return added == 0 ? new int[0] : real.executeBatch();
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new SQLException("replaying the first " + rows + " rows of the batch failed", t);
    } finally {
      batchSql.clear();
      batchStart = calls.size();
    }
  }

  /** The parameters bound now, in index order: what the last setters and {@code clearParameters} left. */
  private List<List<@Nullable Object>> currentParameters() {
    if (sql == null) {
      return List.of();
    }
    SortedMap<Integer, Object> bound = new TreeMap<>();
    for (Object[] call : calls) {
      apply(bound, (Method) call[0], (Object[]) call[1]);
    }
    return List.of(ordered(bound));
  }

  /** The parameters of each row of the batch about to run (or just run). */
  private List<List<@Nullable Object>> batchParameters() {
    if (sql == null) {
      return List.of();
    }
    SortedMap<Integer, Object> bound = new TreeMap<>();
    List<List<@Nullable Object>> rows = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      Object[] call = calls.get(i);
      Method cm = (Method) call[0];
      if (cm.getName().equals("addBatch")) {
        if (i >= batchStart) {
          rows.add(ordered(bound));
        }
      } else {
        apply(bound, cm, (Object[]) call[1]);
      }
    }
    return rows;
  }

  private static void apply(SortedMap<Integer, Object> bound, Method m, Object @Nullable [] args) {
    String name = m.getName();
    if (name.equals("clearParameters")) {
      bound.clear();
    } else if (args != null && args.length >= 2 && args[0] instanceof Integer) {
      bound.put((Integer) args[0], name.equals("setNull") ? NULL : args[1] == null ? NULL : args[1]);
    }
  }

  private static List<@Nullable Object> ordered(SortedMap<Integer, Object> bound) {
    List<@Nullable Object> out = new ArrayList<>();
    int last = bound.isEmpty() ? 0 : bound.lastKey();
    for (int i = 1; i <= last; i++) {
      Object v = bound.get(i);
      out.add(v == NULL ? null : v);
    }
    return Collections.unmodifiableList(out);
  }

  private Object wrap(ResultSet rs, @Nullable String text) {
    ResultSetHandler h = new ResultSetHandler(connection, this, rs, text);
    Object p = Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {ResultSet.class}, h);
    h.proxy = p;
    synchronized (resultSets) {
      resultSets.add(p);
    }
    connection.hub.opened(p, "result set on connection " + connection.id + (text != null ? " [" + text + "]" : ""));
    return p;
  }

  void resultSetClosed(Object p) {
    synchronized (resultSets) {
      resultSets.remove(p);
    }
    connection.hub.closed(p);
  }

  void markClosed() {
    closed = true;
    if (proxy != null) {
      connection.hub.closed(proxy);
    }
    synchronized (resultSets) {
      for (Object rs : resultSets) {
        connection.hub.closed(rs);
      }
      resultSets.clear();
    }
  }
}
