package dev.txkit.jdbc;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J provider for the JDBC binding's tests (slf4j-api is the only logging dependency): a working MDC, and log
 * lines kept in memory while a test captures them, so that tests read what txkit logs. Debug lines are enabled only
 * while a capture asks for them. Registered in {@code META-INF/services}; left out of the test-jar.
 */
public final class TestLogs implements SLF4JServiceProvider {

  private static final List<String> LINES = new ArrayList<>();
  private static volatile boolean capturing;
  private static volatile boolean debug;

  private final MDCAdapter mdc = new BasicMDCAdapter();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final ILoggerFactory loggers = CapturingLogger::new;

  /** Captures log lines until closed. */
  public static final class Capture implements AutoCloseable {
    private Capture() {
    }

    /** @return the lines so far, each "LEVEL message" (and " | throwable" when one was logged) */
    public List<String> lines() {
      synchronized (LINES) {
        return List.copyOf(LINES);
      }
    }

    @Override
    public void close() {
      capturing = false;
      debug = false;
      synchronized (LINES) {
        LINES.clear();
      }
    }
  }

  /**
   * @param withDebug whether debug lines are enabled (and captured)
   * @return the capture; close it
   */
  public static Capture capture(boolean withDebug) {
    synchronized (LINES) {
      LINES.clear();
    }
    debug = withDebug;
    capturing = true;
    return new Capture();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
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

  /** Keeps lines while capturing; INFO and above are enabled, DEBUG only when a capture asks. */
  private static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    CapturingLogger(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return debug;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
        Throwable throwable) {
      if (!capturing) {
        return;
      }
      String line = level + " " + MessageFormatter.basicArrayFormat(pattern, args)
          + (throwable == null ? "" : " | " + throwable);
      synchronized (LINES) {
        LINES.add(line);
      }
    }
  }
}
