/** txkit's fault-injection test kit. */
module dev.txkit.testing {
  requires transitive dev.txkit.jdbc;
  requires static transitive org.junit.jupiter.api;
  requires static org.jspecify;

  exports dev.txkit.testing;
}
