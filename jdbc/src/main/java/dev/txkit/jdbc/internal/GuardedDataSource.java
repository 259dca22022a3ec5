package dev.txkit.jdbc.internal;

import dev.txkit.CurrentTransaction;
import dev.txkit.PitfallException;
import dev.txkit.PitfallMode;
import dev.txkit.TransactionWarning;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The forgotten-transaction guard: a data source whose connections watch for two or more data-changing statements
 * run by one thread in autocommit mode within a short window, each committed on its own where they were most
 * likely meant as one transaction. Reported once per burst, with the statements and where the first was made
 * (captured only while the guard is on: that is the point of it). Also tells txkit of a connection taken while a
 * transaction is open on the thread ({@link CurrentTransaction#blockingCall}).
 */
public final class GuardedDataSource extends DelegatingDataSource {

  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(GuardedDataSource.class);
  private static final Set<String> DATA_CHANGES = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE");
  private static final int LISTED = 5;

  private final long windowNanos;
  private final PitfallMode mode;
  private final @Nullable Consumer<TransactionWarning> listener;
  private final ThreadLocal<Burst> bursts = ThreadLocal.withInitial(Burst::new);

  /** One thread's recent autocommit writes. */
  private static final class Burst {
    long firstAt;
    final List<String> statements = new ArrayList<>();
    @Nullable StackTraceElement firstFrame;
    boolean reported;
  }

  /**
   * @param target the data source guarded
   * @param windowNanos how close together two autocommit writes must be to count as one forgotten transaction
   * @param mode warn or fail
   * @param listener also told of each warning, or null
   */
  public GuardedDataSource(DataSource target, long windowNanos, PitfallMode mode,
      @Nullable Consumer<TransactionWarning> listener) {
    super(target);
    this.windowNanos = windowNanos;
    this.mode = mode;
    this.listener = listener;
  }

  @Override
  public Connection getConnection() throws SQLException {
    CurrentTransaction.blockingCall("getConnection() on the guarded data source, a second connection");
    return wrap(target.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    CurrentTransaction.blockingCall("getConnection() on the guarded data source, a second connection");
    return wrap(target.getConnection(username, password));
  }

  private Connection wrap(Connection c) {
    return (Connection) Proxy.newProxyInstance(GuardedDataSource.class.getClassLoader(),
        new Class<?>[] {Connection.class}, new ConnectionHandler(c));
  }

  /** A data-changing statement is about to run on {@code c}; counts it if {@code c} is in autocommit mode. */
  void aboutToWrite(Connection c, String sql) throws SQLException {
    if (!c.getAutoCommit() || !changesData(sql)) {
      return;
    }
    Burst b = bursts.get();
    long now = System.nanoTime();
    if (b.statements.isEmpty() || now - b.firstAt > windowNanos) {
      b.statements.clear();
      b.firstAt = now;
      b.reported = false;
      b.firstFrame = callerFrame();
    }
    b.statements.add(TxScope.abbreviate(sql));
    if (b.statements.size() < 2 || b.reported) {
      return;
    }
    b.reported = true;
    StringBuilder listed = new StringBuilder();
    for (int i = 0; i < Math.min(LISTED, b.statements.size()); i++) {
      listed.append(i == 0 ? "" : "; ").append('[').append(b.statements.get(i)).append(']');
    }
    TransactionWarning w = new TransactionWarning(TransactionWarning.Kind.FORGOTTEN_TRANSACTION, null, 0,
        "Thread '" + Thread.currentThread().getName() + "' ran " + b.statements.size() + " data-changing statements "
        + "in autocommit mode within " + (now - b.firstAt) / 1_000_000L + " ms, outside any transaction"
        + (b.firstFrame != null ? ", the first at " + b.firstFrame : "") + ": " + listed + ". Each committed on "
        + "its own, so a failure between them leaves half the work done. Run them in one transaction "
        + "(txs.useTransaction(tx -> ...))", b.firstFrame);
    LOG.warn("{}", w.message());
    if (listener != null) {
      try {
        listener.accept(w);
      } catch (RuntimeException e) {
        LOG.warn("a warning listener threw; ignored", e);
      }
    }
    if (mode == PitfallMode.FAIL) {
      throw new PitfallException(w);
    }
  }

  static boolean changesData(String sql) {
    List<String> first = SqlText.keywords(sql, 1);
    if (first.isEmpty()) {
      return false;
    }
    String w = first.get(0);
    return DATA_CHANGES.contains(w) || (w.equals("WITH") && SqlText.writes(sql));
  }

  private static @Nullable StackTraceElement callerFrame() {
    return StackWalker.getInstance().walk(frames -> frames
        .filter(f -> {
          String n = f.getClassName();
          return !n.startsWith("dev.txkit.jdbc.internal.") && !n.startsWith("jdk.proxy")
              && !n.startsWith("com.sun.proxy.") && !n.startsWith("com.zaxxer.hikari.");
        })
        .findFirst().map(StackWalker.StackFrame::toStackTraceElement).orElse(null));
  }

  private static @Nullable Object invoke(Object on, Method method, Object @Nullable [] args) throws Throwable {
    try {
      return method.invoke(on, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Hands out guarded statements; everything else goes to the connection as it is. */
  private final class ConnectionHandler implements InvocationHandler {
    private final Connection connection;

    ConnectionHandler(Connection connection) {
      this.connection = connection;
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
      switch (method.getName()) {
        case "equals":
          return args != null && proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "txkit guarded connection [" + connection + "]";
        default:
          break;
      }
      Object result = GuardedDataSource.invoke(connection, method, args);
      if (result instanceof Statement) {
        String prepared = method.getName().startsWith("prepare") && args != null && args[0] instanceof String
            ? (String) args[0] : null;
        Class<?> type = result instanceof CallableStatement ? CallableStatement.class
            : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
        return Proxy.newProxyInstance(GuardedDataSource.class.getClassLoader(), new Class<?>[] {type},
            new StatementHandler(connection, (Statement) result, prepared));
      }
      return result;
    }
  }

  /** Counts the statement's data-changing executions in autocommit mode. */
  private final class StatementHandler implements InvocationHandler {
    private final Connection connection;
    private final Statement statement;
    private final @Nullable String prepared;
    private @Nullable String batched;

    StatementHandler(Connection connection, Statement statement, @Nullable String prepared) {
      this.connection = connection;
      this.statement = statement;
      this.prepared = prepared;
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
      String name = method.getName();
      switch (name) {
        case "equals":
          return args != null && proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return statement.toString();
        default:
          break;
      }
      if (name.equals("addBatch") && args != null && args.length == 1 && args[0] instanceof String) {
        batched = (String) args[0];
      } else if (name.startsWith("execute") && !name.equals("executeQuery")) {
        String sql = args != null && args.length > 0 && args[0] instanceof String ? (String) args[0]
            : name.contains("Batch") && batched != null ? batched : prepared;
        if (sql != null) {
          aboutToWrite(connection, sql);
        }
      }
      return GuardedDataSource.invoke(statement, method, args);
    }
  }
}
