package dev.txkit.testing.internal;

import dev.txkit.testing.Point;
import dev.txkit.testing.Recorder;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** The proxy behind a {@link ResultSet}: the fault point on {@code next()}. */
final class ResultSetHandler implements InvocationHandler {

  private final ConnectionHandler connection;
  private final StatementHandler statement;
  private final ResultSet real;
  private final @Nullable String sql;
  @Nullable Object proxy;

  ResultSetHandler(ConnectionHandler connection, StatementHandler statement, ResultSet real, @Nullable String sql) {
    this.connection = connection;
    this.statement = statement;
    this.real = real;
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
          return "FaultyResultSet[" + real + "]";
      }
    }
    switch (name) {
      case "unwrap": {
        Class<?> c = (Class<?>) Hub.arg0(args);
        return c.isInstance(p) ? p : Hub.invoke(real, m, args);
      }
      case "isWrapperFor":
        return ((Class<?>) Hub.arg0(args)).isInstance(p) || Boolean.TRUE.equals(Hub.invoke(real, m, args));
      case "getStatement":
        return statement.proxy;
      case "close":
        statement.resultSetClosed(p);
        return Hub.invoke(real, m, args);
      case "next":
        return next(m, args);
      default:
        return Hub.invoke(real, m, args);
    }
  }

  private @Nullable Object next(Method m, Object @Nullable [] args) throws Throwable {
    if (connection.isDropped()) {
      throw connection.fail("ResultSet.next", sql, connection.closedException());
    }
    Hub hub = connection.hub;
    Directive d = hub.interceptor.decide(Point.RESULT_SET_NEXT, connection.id, sql);
    if (d != null) {
      SQLException e = connection.exceptionOf(d);
      String effect = connection.onFailure(d, e);
      hub.record(connection.id, "ResultSet.next", sql, e, new Recorder.FiredFault(d.description,
          Point.RESULT_SET_NEXT, false, effect), null);
      throw e;
    }
    try {
      return Hub.invoke(real, m, args);
    } catch (Throwable t) {
      hub.record(connection.id, "ResultSet.next", sql, t, null, null);
      throw t;
    }
  }
}
