package dev.txkit.testing;

import dev.txkit.jdbc.TestDatabases;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.util.List;

/** A faulty data source over a test database, with one table {@code (id, v)} and txkit over it. */
final class Fixture {
  final TestDb db;
  final FaultyDataSource ds;
  final Faults faults;
  final Recorder recorder;
  final FakeSleeper sleeper = new FakeSleeper();
  final Transactions txs;
  final String table;

  Fixture(TestDb db, String table) {
    this.db = db;
    this.table = table;
    db.createTable(table, "id INT PRIMARY KEY, v INT");
    this.ds = FaultyDataSource.wrap(db.dataSource());
    this.faults = ds.faults();
    this.recorder = ds.recorder();
    this.txs = ds.transactions().sleeper(sleeper).ticker(sleeper).build();
  }

  static Fixture h2(String table) {
    return new Fixture(TestDatabases.h2(), table);
  }

  String insert() {
    return "INSERT INTO " + table + " (id, v) VALUES (?, ?)";
  }

  List<Long> ids() {
    return db.queryLongs("SELECT id FROM " + table + " ORDER BY id");
  }

  void drop() {
    db.exec("DROP TABLE IF EXISTS " + table);
  }
}
