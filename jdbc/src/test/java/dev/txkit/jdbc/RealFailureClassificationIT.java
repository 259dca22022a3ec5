package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Detects the live databases as txkit does. The real failures themselves (deadlocks, serialization failures,
 * lock and statement timeouts, constraint violations, lost connections), and txkit's classification of what the
 * drivers really throw, are produced and checked against the kit's catalogue by the testing module's
 * {@code PostgresCatalogueIT}, {@code MariadbCatalogueIT} and {@code H2CatalogueIT}, where those scenarios moved
 * with their assertions (see {@code docs/databases.md}).
 */
class RealFailureClassificationIT {

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void detectsTheLiveDatabase(TestDb db) throws SQLException {
    try (Connection c = db.connect()) {
      // product names seen: "PostgreSQL" 15.20 (Debian 15.20-0+deb12u1), "MariaDB" 10.11.19-MariaDB-0+deb12u1,
      // "H2" 2.3.232 (2024-08-11)
      System.out.println("OBSERVED " + db + " product: " + c.getMetaData().getDatabaseProductName() + " "
          + c.getMetaData().getDatabaseProductVersion());
      assertEquals(db.database(), Database.detect(c));
      assertTrue(c.getAutoCommit());
    }
    assertEquals(db.database(), Transactions.create(db.dataSource()).database());
  }
}
