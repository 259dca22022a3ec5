/** txkit's JDBC binding. */
module dev.txkit.jdbc {
  requires transitive dev.txkit.core;
  requires transitive java.sql;
  requires org.slf4j;
  requires static com.zaxxer.hikari;
  requires static micrometer.core;
  requires static org.jspecify;

  exports dev.txkit.jdbc;
}
