/** txkit's engine: options, retry policy, failure classification, listeners, exceptions, lock ordering. */
module dev.txkit.core {
  requires transitive java.sql;
  requires static transitive org.jspecify;

  exports dev.txkit;
  exports dev.txkit.internal to dev.txkit.jdbc;
}
