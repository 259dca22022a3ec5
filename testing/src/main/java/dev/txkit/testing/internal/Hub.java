package dev.txkit.testing.internal;

import dev.txkit.jdbc.Database;
import dev.txkit.testing.Failures;
import dev.txkit.testing.Point;
import dev.txkit.testing.Recorder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The state shared by all proxies of one faulty data source: the interceptor, the call trace, the open objects
 * and the connections' state records. Thread-safe.
 */
public final class Hub {

  private static final StackWalker WALKER = StackWalker.getInstance();

  final DataSource delegate;
  final Interceptor interceptor;
  private final AtomicInteger connectionIds = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  private final List<Recorder.Event> events = new ArrayList<>();
  private final Map<Object, String> open = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<ConnectionRecord> connections = Collections.synchronizedList(new ArrayList<>());
  private final List<Observer> observers = new CopyOnWriteArrayList<>();
  private volatile @Nullable Database database;

  /**
   * Sees every call as the trace records it, with the bound parameters of the statements that ran: for checks
   * that follow what the transactions do (the lock-order checker). Called on the thread that made the call;
   * must be thread-safe and must not throw.
   */
  public interface Observer {
    /**
     * A call was recorded.
     *
     * @param event the call
     * @param parameters for a statement that ran: its bound parameters, one list per execution (one, or one per
     *     row of a batch); empty for other calls and for plain statements
     * @param connection the real connection of a statement that ran (for metadata), else null
     */
    void onCall(Recorder.Event event, List<List<@Nullable Object>> parameters, @Nullable Connection connection);
  }

  /**
   * @param delegate the real data source
   * @param interceptor the fault controller
   */
  public Hub(DataSource delegate, Interceptor interceptor) {
    this.delegate = delegate;
    this.interceptor = interceptor;
  }

  /** @return the real data source */
  public DataSource delegate() {
    return delegate;
  }

  /**
   * The database behind the data source, as detected from the first connection; {@code OTHER} until a
   * connection was taken.
   *
   * @return the database
   */
  public Database database() {
    Database d = database;
    return d == null ? Database.OTHER : d;
  }

  /**
   * Takes a connection from the real data source and wraps it, unless a fault at GET_CONNECTION fires.
   *
   * @param user user, or null for the data source's
   * @param password password
   * @return the proxy
   * @throws SQLException the real failure or the injected one
   */
  public Connection connect(@Nullable String user, @Nullable String password) throws SQLException {
    Directive d = interceptor.decide(Point.GET_CONNECTION, 0, null);
    if (d != null) {
      SQLException e = d.kind == Directive.Kind.FAIL && d.exception != null ? d.exception
          : Failures.of(database()).connectionLost().get();
      record(0, "DataSource.getConnection", null, e, new Recorder.FiredFault(d.description, Point.GET_CONNECTION,
          false, "no connection handed out"), null);
      throw e;
    }
    Connection real;
    try {
      real = user == null ? delegate.getConnection() : delegate.getConnection(user, password);
    } catch (SQLException | RuntimeException e) {
      record(0, "DataSource.getConnection", null, e, null, null);
      throw e;
    }
    if (database == null) {
      try {
        // the same detection as txkit's (it tells CockroachDB and YugabyteDB from PostgreSQL)
        database = Database.detect(real);
      } catch (SQLException e) {
        database = Database.OTHER;
      }
    }
    int id = connectionIds.incrementAndGet();
    ConnectionRecord rec = new ConnectionRecord(id, ConnectionRecord.stateOf(real));
    connections.add(rec);
    ConnectionHandler h = new ConnectionHandler(this, real, rec);
    Connection proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
        new Class<?>[] {Connection.class}, h);
    h.proxy = proxy;
    opened(proxy, "connection " + id);
    record(id, "DataSource.getConnection", null, null, null, null);
    return proxy;
  }

  /**
   * Adds an observer of the calls recorded from now on.
   *
   * @param observer the observer
   */
  public void observe(Observer observer) {
    observers.add(observer);
  }

  /**
   * Removes an observer.
   *
   * @param observer the observer
   */
  public void unobserve(Observer observer) {
    observers.remove(observer);
  }

  /** @return a snapshot of the trace */
  public List<Recorder.Event> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** @return descriptions of the connections, statements and result sets not closed yet */
  public List<String> openObjects() {
    synchronized (open) {
      return List.copyOf(open.values());
    }
  }

  /** @return the connections (proxies) handed out and not closed yet */
  public List<Connection> openConnections() {
    List<Connection> out = new ArrayList<>();
    synchronized (open) {
      for (Object o : open.keySet()) {
        if (o instanceof Connection) {
          out.add((Connection) o);
        }
      }
    }
    return out;
  }

  /** @return every connection handed out so far */
  public List<ConnectionRecord> connections() {
    synchronized (connections) {
      return List.copyOf(connections);
    }
  }

  /** Forgets the trace and the connection records (open objects stay tracked). */
  public void clear() {
    synchronized (events) {
      events.clear();
    }
    connections.clear();
  }

  void opened(Object proxy, String description) {
    open.put(proxy, description);
  }

  void closed(Object proxy) {
    open.remove(proxy);
  }

  void record(int connection, String method, @Nullable String sql, @Nullable Throwable failure,
      Recorder.@Nullable FiredFault fault, @Nullable String caller) {
    Recorder.Event e = add(connection, method, sql, failure, fault, caller);
    for (Observer o : observers) {
      o.onCall(e, List.of(), null);
    }
  }

  /** Records a statement that ran, and shows its bound parameters (computed only when observed) to observers. */
  void recordStatement(int connection, String method, @Nullable String sql,
      Supplier<List<List<@Nullable Object>>> parameters, Connection real) {
    Recorder.Event e = add(connection, method, sql, null, null, null);
    if (!observers.isEmpty()) {
      List<List<@Nullable Object>> p = parameters.get();
      for (Observer o : observers) {
        o.onCall(e, p, real);
      }
    }
  }

  private Recorder.Event add(int connection, String method, @Nullable String sql, @Nullable Throwable failure,
      Recorder.@Nullable FiredFault fault, @Nullable String caller) {
    Recorder.Event e = new Recorder.Event(sequence.incrementAndGet(), Thread.currentThread().getName(), connection,
        interceptor.transactionName(), interceptor.attempt(), method, sql, failure, fault, caller);
    synchronized (events) {
      events.add(e);
    }
    return e;
  }

  /**
   * The code that made a JDBC call: the first frame outside the JDK, the proxies and a pool's forwarding of the
   * same method (so a rollback that HikariCP forwards is attributed to its caller, while HikariCP's own reset on
   * close is attributed to HikariCP).
   */
  static String caller(String method) {
    return WALKER.walk(frames -> frames.filter(f -> {
      String c = f.getClassName();
      if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("com.sun.")
          || c.startsWith("dev.txkit.testing.internal.") || c.contains("$Proxy")) {
        return false;
      }
      return !(c.startsWith("com.zaxxer.hikari.") && f.getMethodName().equals(method));
    }).findFirst().map(f -> f.getClassName() + "." + f.getMethodName()).orElse("?"));
  }

  /** Calls the real object, unwrapping the reflection wrapper so the driver's exception reaches the caller. */
  /**
   * @param args a proxied call's arguments
   * @return the first, for methods that take one (equals, unwrap, isWrapperFor)
   */
  static Object arg0(Object @Nullable [] args) {
    if (args == null || args.length == 0 || args[0] == null) {
      throw new IllegalArgumentException("this method takes an argument");
    }
    return args[0];
  }

  static @Nullable Object invoke(Object target, Method m, Object @Nullable [] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Removes a physical connection from its HikariCP pool if it came from one (reflection: HikariCP is optional). */
  boolean evictFromPool(Connection real) {
    if (!delegate.getClass().getName().equals("com.zaxxer.hikari.HikariDataSource")) {
      return false;
    }
    try {
      delegate.getClass().getMethod("evictConnection", Connection.class).invoke(delegate, real);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
