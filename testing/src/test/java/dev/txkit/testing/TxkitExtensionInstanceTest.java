package dev.txkit.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension as an instance field, over a data source of one's own. */
class TxkitExtensionInstanceTest {

  @RegisterExtension
  TxkitExtension own = TxkitExtension.builder().dataSource(dev.txkit.jdbc.TestDatabases.h2().dataSource()).build();

  @Test
  void worksAsAnInstanceField(DataSource ds, Faults faults) throws SQLException {
    faults.inject(Fault.at(Point.GET_CONNECTION).fail(Failures.h2().connectionLost()));
    assertThrows(SQLException.class, ds::getConnection);
    try (Connection c = ds.getConnection()) {
      assertTrue(c.isValid(1));
    }
    own.recorder().assertAllClosed();
  }
}
