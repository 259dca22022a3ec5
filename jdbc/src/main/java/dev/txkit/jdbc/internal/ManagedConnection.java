package dev.txkit.jdbc.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The connection handed out by {@code tx.connection()}: refuses calls that would take the transaction away
 * from txkit, and wraps statements so that their failures doom the attempt and their time is bounded by the
 * call's deadline.
 */
final class ManagedConnection implements InvocationHandler {

  private static final Set<String> REFUSED =
      Set.of("commit", "setAutoCommit", "setTransactionIsolation", "setReadOnly", "close", "abort");

  private final TxScope scope;
  private final Connection target;
  private @Nullable Connection proxy;

  private ManagedConnection(TxScope scope, Connection target) {
    this.scope = scope;
    this.target = target;
  }

  static Connection create(TxScope scope, Connection target) {
    ManagedConnection h = new ManagedConnection(scope, target);
    Connection proxy = (Connection) Proxy.newProxyInstance(ManagedConnection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, h);
    h.proxy = proxy;
    return proxy;
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
      case "unwrap":
      case "isWrapperFor":
        return call(method, args);
      default:
        break;
    }
    if (REFUSED.contains(name) || (name.equals("rollback") && (args == null || args.length == 0))) {
      throw new IllegalStateException("Connection." + name + "() is not allowed on the connection of transaction '"
          + scope.options().name() + "': the transaction belongs to txkit, which "
          + (name.equals("commit") ? "commits when the callback returns" : name.equals("rollback")
              ? "rolls back when the callback throws (or call tx.setRollbackOnly())" : name.equals("close")
              ? "returns the connection to the pool when the transaction ends"
              : "sets it from the TxOptions before the transaction starts"));
    }
    scope.checkUsable();
    if ((name.startsWith("prepare") || name.equals("nativeSQL")) && args != null && args[0] instanceof String) {
      scope.checkWritable((String) args[0]);
    }
    Object result = call(method, args);
    if (result instanceof Statement) {
      Class<?> type = result instanceof CallableStatement ? CallableStatement.class
          : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
      return Proxy.newProxyInstance(ManagedConnection.class.getClassLoader(), new Class<?>[] {type},
          new ManagedStatement((Statement) result));
    }
    return result;
  }

  private @Nullable Object call(Method method, Object @Nullable [] args) throws Throwable {
    return call(target, method, args);
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

  /** A statement whose executions are checked, bounded by the deadline, and whose failures are classified. */
  private final class ManagedStatement implements InvocationHandler {
    private final Statement statement;

    ManagedStatement(Statement statement) {
      this.statement = statement;
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
          return statement.toString();
        case "getConnection":
          return proxy;
        default:
          break;
      }
      if (name.startsWith("execute") || name.equals("addBatch")) {
        scope.checkUsable();
        if (args != null && args.length > 0 && args[0] instanceof String) {
          scope.checkWritable((String) args[0]);
        }
        if (!name.equals("addBatch")) {
          scope.applyDeadline(statement);
          if (scope.measured()) {
            long t = scope.statementStarted();
            try {
              return call(statement, method, args);
            } finally {
              scope.statementEnded(t);
            }
          }
        }
      }
      return call(statement, method, args);
    }
  }
}
