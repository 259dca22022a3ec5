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
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * What an application that logs through SLF4J sees of txkit: an SLF4J provider for the jdbc module's tests
 * (selected with the system property {@code slf4j.provider}, see the module's pom), which keeps WARN and ERROR
 * events while a capture is open and discards everything else, as SLF4J's no-operation logger did before.
 */
@SuppressWarnings("exports")
public final class CapturedLogs {

  /** One logged event. */
  public record Event(String logger, Level level, String message, Throwable throwable) {}

  private static final List<Event> EVENTS = new ArrayList<>();
  private static volatile boolean capturing;

  private CapturedLogs() {
  }

  /** Starts keeping WARN and ERROR events, forgetting earlier ones. */
  public static synchronized void start() {
    EVENTS.clear();
    capturing = true;
  }

  /** @return the events kept since {@link #start()}, and stops keeping them */
  public static synchronized List<Event> stop() {
    capturing = false;
    List<Event> copy = List.copyOf(EVENTS);
    EVENTS.clear();
    return copy;
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
    private final NOPMDCAdapter mdc = new NOPMDCAdapter();

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
      return capturing && (level == Level.WARN || level == Level.ERROR);
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
      return false;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return false;
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
