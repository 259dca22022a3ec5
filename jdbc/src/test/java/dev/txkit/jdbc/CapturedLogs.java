package dev.txkit.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * What an application that logs through SLF4J sees of txkit: an SLF4J provider for the jdbc module's tests
 * (selected with the system property {@code slf4j.provider}, see the module's pom), which keeps WARN and ERROR
 * events while a capture is open and discards everything else, as SLF4J's no-operation logger did before; DEBUG
 * events too while a capture opened with {@link #startWithDebug()} is open (debug is enabled only then). Its MDC
 * works, as a logging backend's does.
 */
@SuppressWarnings("exports")
public final class CapturedLogs {

  /** One logged event. */
  public record Event(String logger, Level level, String message, Throwable throwable) {}

  private static final List<Event> EVENTS = new ArrayList<>();
  private static volatile boolean capturing;
  private static volatile boolean debug;

  private CapturedLogs() {
  }

  /** Starts keeping WARN and ERROR events, forgetting earlier ones. */
  public static synchronized void start() {
    EVENTS.clear();
    capturing = true;
  }

  /** Starts keeping DEBUG, WARN and ERROR events, with debug enabled, forgetting earlier ones. */
  public static synchronized void startWithDebug() {
    start();
    debug = true;
  }

  /** @return the events kept since {@link #start()}, and stops keeping them */
  public static synchronized List<Event> stop() {
    capturing = false;
    debug = false;
    List<Event> copy = List.copyOf(EVENTS);
    EVENTS.clear();
    return copy;
  }

  /** A capture as a resource (try-with-resources): {@link #stop()} when closed. */
  public static final class Capture implements AutoCloseable {
    private Capture() {
    }

    /** @return the events kept so far, each as "LEVEL message" (and " | throwable" when one was logged) */
    public List<String> lines() {
      synchronized (CapturedLogs.class) {
        List<String> lines = new ArrayList<>();
        for (Event e : EVENTS) {
          lines.add(e.level() + " " + e.message() + (e.throwable() == null ? "" : " | " + e.throwable()));
        }
        return lines;
      }
    }

    @Override
    public void close() {
      stop();
    }
  }

  /**
   * @param withDebug whether DEBUG events are enabled and kept too
   * @return a capture, started; close it
   */
  public static Capture capture(boolean withDebug) {
    if (withDebug) {
      startWithDebug();
    } else {
      start();
    }
    return new Capture();
  }

  /** @return whether this provider is the one SLF4J bound (else the test setup is wrong, not txkit) */
  public static boolean bound() {
    return org.slf4j.LoggerFactory.getILoggerFactory() instanceof Factory;
  }

  private static synchronized void add(Event e) {
    if (capturing) {
      EVENTS.add(e);
    }
  }

  /** The provider SLF4J loads. */
  public static final class Provider implements SLF4JServiceProvider {
    private final Factory factory = new Factory();
    private final BasicMarkerFactory markers = new BasicMarkerFactory();
    private final BasicMDCAdapter mdc = new BasicMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
      return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
      return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
      return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
      return "2.0.99";
    }

    @Override
    public void initialize() {
    }
  }

  static final class Factory implements ILoggerFactory {
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return loggers.computeIfAbsent(name, CapturingLogger::new);
    }
  }

  private static final class CapturingLogger extends AbstractLogger {
    private static final long serialVersionUID = 1L;

    CapturingLogger(String name) {
      this.name = name;
    }

    private static boolean kept(Level level) {
      return capturing && (level == Level.WARN || level == Level.ERROR || (debug && level == Level.DEBUG));
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
        Throwable throwable) {
      if (kept(level)) {
        add(new Event(name, level, MessageFormatter.basicArrayFormat(messagePattern, arguments), throwable));
      }
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return debug;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return debug;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return capturing;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return capturing;
    }

    @Override
    public boolean isErrorEnabled() {
      return capturing;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return capturing;
    }
  }
}
