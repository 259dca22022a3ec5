package dev.txkit.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.jdbc.TestDatabases.TestDb;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every path from txkit's objects back to a {@code Connection} leads to the managed connection, never to the
 * driver's: a {@code commit()} on the driver's connection would commit in the middle of the transaction, and rows
 * would survive the callback's exception.
 */
class EscapeHatchIT {

  @FunctionalInterface
  private interface Path {
    Connection follow(Connection managed) throws SQLException;
  }

  private static Map<String, Path> paths(TestDb db) {
    Map<String, Path> p = new LinkedHashMap<>();
    p.put("getMetaData().getConnection()", c -> c.getMetaData().getConnection());
    p.put("createStatement().getConnection()", c -> c.createStatement().getConnection());
    p.put("prepareStatement().getConnection()", c -> c.prepareStatement("SELECT 1").getConnection());
    if (db.database() != Database.MARIADB) {
      // MariaDB Connector/J only prepares calls of stored procedures, and this test creates none
      p.put("prepareCall().getConnection()", c -> {
        CallableStatement cs = c.prepareCall("SELECT 1");
        return cs.getConnection();
      });
    }
    p.put("executeQuery().getStatement().getConnection()",
        c -> c.createStatement().executeQuery("SELECT 1").getStatement().getConnection());
    p.put("prepareStatement().executeQuery().getStatement().getConnection()",
        c -> c.prepareStatement("SELECT 1").executeQuery().getStatement().getConnection());
    p.put("execute(); getResultSet().getStatement().getConnection()", c -> {
      Statement st = c.createStatement();
      st.execute("SELECT 1");
      return st.getResultSet().getStatement().getConnection();
    });
    p.put("getGeneratedKeys().getStatement().getConnection()", c -> {
      PreparedStatement ps = c.prepareStatement("INSERT INTO t8_escape(id, name) VALUES (?, 'k')",
          Statement.RETURN_GENERATED_KEYS);
      ps.setLong(1, 99);
      ps.executeUpdate();
      ResultSet keys = ps.getGeneratedKeys();
      Statement owner = keys.getStatement();
      return owner == null ? c : owner.getConnection();
    });
    p.put("getMetaData().getTables().getStatement().getConnection()", c -> {
      DatabaseMetaData md = c.getMetaData();
      ResultSet rs = md.getTables(null, null, "%", null);
      Statement owner = rs.getStatement();
      // H2 and MariaDB answer null: no statement, so no way back to a connection
      return owner == null ? c : owner.getConnection();
    });
    p.put("getMetaData().getPrimaryKeys().getStatement().getConnection()", c -> {
      ResultSet rs = c.getMetaData().getPrimaryKeys(null, null, "t8_escape");
      Statement owner = rs.getStatement();
      return owner == null ? c : owner.getConnection();
    });
    p.put("unwrap(Connection.class)", c -> c.unwrap(Connection.class));
    p.put("createStatement().unwrap(Statement.class).getConnection()",
        c -> c.createStatement().unwrap(Statement.class).getConnection());
    return p;
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void everyPathBackToAConnectionReturnsTheManagedOne(TestDb db) {
    db.createTable("t8_escape", "id BIGINT PRIMARY KEY, name VARCHAR(100)");
    Transactions txs = Transactions.create(db.dataSource());
    for (Map.Entry<String, Path> path : paths(db).entrySet()) {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> txs.useTransaction(tx -> {
        tx.update("INSERT INTO t8_escape(id, name) VALUES (1, ?)", path.getKey());
        Connection managed = tx.connection();
        Connection reached = path.getValue().follow(managed);
        assertSame(managed, reached, path.getKey() + " leads to the driver's connection");
        IllegalStateException refused = assertThrows(IllegalStateException.class, reached::commit, path.getKey());
        assertTrue(refused.getMessage().contains("commit"), refused.getMessage());
        throw boom;
      }), path.getKey());
      assertSame(boom, thrown, path.getKey());
      assertEquals(List.of(), db.queryLongs("SELECT id FROM t8_escape"),
          "nothing committed through " + path.getKey());
    }
  }
}
