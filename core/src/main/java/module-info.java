/**
 * txkit's engine: options, retry policy, failure classification, listeners, exceptions, lock ordering
 * ({@code dev.txkit}), and the service-provider interface a resource binding implements ({@code dev.txkit.spi}).
 */
module dev.txkit.core {
  requires transitive java.sql;
  // JFR events when the JDK has jdk.jfr (txkit runs without it: see dev.txkit.internal.Jfr)
  requires static jdk.jfr;
  requires static transitive org.jspecify;

  exports dev.txkit;
  exports dev.txkit.spi;
}
