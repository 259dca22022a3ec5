package dev.txkit.jdbc.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The connection handed out by {@code tx.connection()}: refuses calls that would take the transaction away
 * from txkit, wraps statements so that their failures doom the attempt, their time is bounded by the call's
 * deadline and their SQL is no transaction control ({@link StatementGuard}), and remembers the session state
 * its setters change ({@link SessionState}) so that it is put back when the attempt ends.
 *
 * <p>It is borrowed: {@code close()} does nothing, so {@code try (Connection c = tx.connection())} is harmless.
 * Every way back to a {@code Connection} from the objects it hands out ({@code getConnection()} of statements
 * and metadata, {@code getStatement()} of result sets, {@code unwrap(Connection.class)}) returns this managed
 * connection; only {@code unwrap} to a driver's own type reaches the driver's objects.
 */
final class ManagedConnection implements InvocationHandler {

  private static final Set<String> REFUSED =
      Set.of("commit", "setAutoCommit", "setTransactionIsolation", "setReadOnly", "abort");

  private final TxScope scope;
  private final Connection target;
  private final Connection proxy;
  private @Nullable DatabaseMetaData metaData;
  private @Nullable SessionState session;

  private ManagedConnection(TxScope scope, Connection target) {
    this.scope = scope;
    this.target = target;
    this.proxy = (Connection) Proxy.newProxyInstance(ManagedConnection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, this);
  }

  static Connection create(TxScope scope, Connection target) {
    return new ManagedConnection(scope, target).proxy;
  }

  /**
   * The session state changed through a managed connection.
   *
   * @param managed a connection from {@link #create}, or null
   * @return what its setters changed, or null if none was called
   */
  static @Nullable SessionState sessionOf(@Nullable Connection managed) {
    if (managed == null || !Proxy.isProxyClass(managed.getClass())) {
      return null;
    }
    InvocationHandler h = Proxy.getInvocationHandler(managed);
    return h instanceof ManagedConnection ? ((ManagedConnection) h).session : null;
  }

  @Override
  public @Nullable Object invoke(Object p, Method method, Object @Nullable [] args) throws Throwable {
    String name = method.getName();
    switch (name) {
      case "equals":
        return args != null && p == args[0];
      case "hashCode":
        return System.identityHashCode(p);
      case "toString":
        return "txkit managed connection of '" + scope.options().name() + "' [" + target + "]";
      case "isClosed":
        return scope.isEnded() || target.isClosed();
      case "close":
        // borrowed: txkit returns the connection to the pool when the transaction ends
        return null;
      case "unwrap":
        return ((Class<?>) arg0(args)).isInstance(p) ? p : call(target, method, args);
      case "isWrapperFor":
        return ((Class<?>) arg0(args)).isInstance(p) || Boolean.TRUE.equals(call(target, method, args));
      default:
        break;
    }
    if (REFUSED.contains(name) || (name.equals("rollback") && (args == null || args.length == 0))) {
      throw new IllegalStateException("Connection." + name + "() is not allowed on the connection of transaction '"
          + scope.options().name() + "': the transaction belongs to txkit, which "
          + (name.equals("commit") ? "commits when the callback returns" : name.equals("rollback")
              ? "rolls back when the callback throws (or call tx.setRollbackOnly())" : name.equals("abort")
              ? "returns the connection to the pool, or discards it, when the transaction ends"
              : "sets it from the TxOptions before the transaction starts"));
    }
    scope.checkUsable();
    if (name.startsWith("prepare") && args != null && args[0] instanceof String) {
      guard((String) args[0]);
    }
    if (SessionState.tracks(name)) {
      if (session == null) {
        session = new SessionState(scope.database());
      }
      return session.set(target, method, args, () -> call(target, method, args));
    }
    return wrap(call(target, method, args), null);
  }

  /** The first argument of a method that has one (equals, unwrap, isWrapperFor). */
  private static Object arg0(Object @Nullable [] args) {
    if (args == null || args.length == 0 || args[0] == null) {
      throw new IllegalArgumentException("this method takes an argument");
    }
    return args[0];
  }

  private void guard(String sql) {
    StatementGuard.check(sql, scope.database(), scope.options().name());
    scope.checkWritable(sql);
  }

  /** Invokes on the driver's object; its SQLExceptions are classified (and may doom the attempt), then rethrown. */
  private @Nullable Object call(Object on, Method method, Object @Nullable [] args) throws Throwable {
    try {
      return method.invoke(on, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException) {
        scope.onFailure((SQLException) cause);
      }
      throw cause;
    }
  }

  /**
   * What a driver's object returned, as the user may see it: connections become this managed connection,
   * statements, result sets and metadata managed ones.
   *
   * @param result the driver's result
   * @param owner the managed statement whose driver statement a result set would name as its own, or null
   */
  private @Nullable Object wrap(@Nullable Object result, @Nullable ManagedStatement owner) {
    if (result instanceof Connection) {
      return proxy;
    }
    if (result instanceof ResultSet) {
      return new ManagedResultSet((ResultSet) result, owner).self;
    }
    if (result instanceof Statement) {
      return new ManagedStatement((Statement) result).self;
    }
    if (result instanceof DatabaseMetaData) {
      if (metaData == null) {
        metaData = (DatabaseMetaData) Proxy.newProxyInstance(ManagedConnection.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class}, new Delegating(result));
      }
      return metaData;
    }
    return result;
  }

  /** Passes calls on to a driver's object, handing back managed objects and the managed connection. */
  private class Delegating implements InvocationHandler {
    final Object target;

    Delegating(Object target) {
      this.target = target;
    }

    @Override
    public @Nullable Object invoke(Object p, Method method, Object @Nullable [] args) throws Throwable {
      switch (method.getName()) {
        case "equals":
          return args != null && p == args[0];
        case "hashCode":
          return System.identityHashCode(p);
        case "toString":
          return target.toString();
        case "getConnection":
          return proxy;
        case "unwrap":
          return ((Class<?>) arg0(args)).isInstance(p) ? p : call(target, method, args);
        case "isWrapperFor":
          return ((Class<?>) arg0(args)).isInstance(p) || Boolean.TRUE.equals(call(target, method, args));
        default:
          return invokeOther(p, method, args);
      }
    }

    @Nullable Object invokeOther(Object p, Method method, Object @Nullable [] args) throws Throwable {
      return wrap(call(target, method, args), null);
    }
  }

  /** A statement whose executions are checked, bounded by the deadline, and whose failures are classified. */
  private final class ManagedStatement extends Delegating {
    final Statement statement;
    final Statement self;

    ManagedStatement(Statement statement) {
      super(statement);
      this.statement = statement;
      Class<?> type = statement instanceof CallableStatement ? CallableStatement.class
          : statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
      this.self = (Statement) Proxy.newProxyInstance(ManagedConnection.class.getClassLoader(),
          new Class<?>[] {type}, this);
    }

    @Override
    @Nullable Object invokeOther(Object p, Method method, Object @Nullable [] args) throws Throwable {
      String name = method.getName();
      boolean executes = name.startsWith("execute");
      if (executes || name.equals("addBatch")) {
        if (args != null && args.length > 0 && args[0] instanceof String) {
          guard((String) args[0]);
        }
      }
      if (executes) {
        scope.checkUsable();
        scope.applyDeadline(statement);
        if (scope.measured()) {
          long t = scope.statementStarted();
          try {
            return wrap(call(statement, method, args), this);
          } finally {
            scope.statementEnded(t);
          }
        }
      }
      return wrap(call(statement, method, args), this);
    }
  }

  /** A result set whose statement, and that statement's connection, are the managed ones. */
  private final class ManagedResultSet extends Delegating {
    final ResultSet resultSet;
    final ResultSet self;
    private @Nullable ManagedStatement owner;

    ManagedResultSet(ResultSet resultSet, @Nullable ManagedStatement owner) {
      super(resultSet);
      this.resultSet = resultSet;
      this.owner = owner;
      this.self = (ResultSet) Proxy.newProxyInstance(ManagedConnection.class.getClassLoader(),
          new Class<?>[] {ResultSet.class}, this);
    }

    @Override
    @Nullable Object invokeOther(Object p, Method method, Object @Nullable [] args) throws Throwable {
      if (method.getName().equals("getStatement")) {
        Statement st = resultSet.getStatement();
        if (st == null) {
          return null;
        }
        if (owner == null || owner.statement != st) {
          // e.g. a metadata result set: the driver's internal statement, managed like any other
          owner = new ManagedStatement(st);
        }
        return owner.self;
      }
      return wrap(call(resultSet, method, args), null);
    }
  }
}
