package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.txkit.ConstraintViolationException;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.examples.ProfileUpdate.Profile;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileUpdateIT {

  private static final String PREFIX = "ex_prof_";

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void bothTablesChangeOrNeither(TestDb db) {
    ProfileUpdate app = new ProfileUpdate(Transactions.create(db.dataSource()), PREFIX);
    app.createSchema();
    try {
      app.addUser(1, "ada@example.org", "Ada");
      app.addUser(2, "bob@example.org", "Bob");

      app.update(1, "Ada Lovelace", "ada.lovelace@example.org");
      assertEquals(new Profile(1, "ada.lovelace@example.org", "Ada Lovelace"), app.profile(1));

      // the name is updated first; the address then violates the UNIQUE constraint
      assertThrows(ConstraintViolationException.class, () -> app.update(1, "Countess", "bob@example.org"));
      assertEquals(new Profile(1, "ada.lovelace@example.org", "Ada Lovelace"), app.profile(1),
          "the name change is rolled back with the refused address");
      assertEquals(1, db.queryLong("SELECT COUNT(*) FROM " + PREFIX + "profiles WHERE user_id = 1 AND "
          + "display_name = 'Ada Lovelace'"), "checked with a query of the test's own");

      assertThrows(UnexpectedRowCountException.class, () -> app.update(99, "Nobody", "nobody@example.org"));
      assertEquals(2, db.queryLong("SELECT COUNT(*) FROM " + PREFIX + "users"));
    } finally {
      app.dropSchema();
    }
  }
}
