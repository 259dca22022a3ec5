package dev.txkit.examples;

import dev.txkit.ConstraintViolationException;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.util.Objects;

/**
 * A profile update that must change two tables together: the display name in {@code profiles} and the e-mail
 * address in {@code users}, whose {@code UNIQUE} constraint refuses an address another user has. When the second
 * update fails, the first one is rolled back with it: the user never ends up with the new name and the old
 * address. Run it: {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.txkit.examples.ProfileUpdate}.
 *
 * <p>Thread-safe.
 */
public final class ProfileUpdate {

  /**
   * One user's profile as stored.
   *
   * @param userId the user
   * @param email from {@code users}
   * @param displayName from {@code profiles}
   */
  public record Profile(long userId, String email, String displayName) {
  }

  private final Transactions txs;
  private final String users;
  private final String profiles;

  /**
   * Profiles on the tables {@code prefix + "users"} and {@code prefix + "profiles"}.
   *
   * @param txs the transactions
   * @param prefix the table-name prefix, e.g. {@code ""}
   */
  public ProfileUpdate(Transactions txs, String prefix) {
    this.txs = Objects.requireNonNull(txs, "txs");
    this.users = prefix + "users";
    this.profiles = prefix + "profiles";
  }

  /** Drops and creates the tables. */
  public void createSchema() {
    Schema.recreate(txs,
        users, "id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE",
        profiles, "user_id BIGINT PRIMARY KEY REFERENCES " + users + " (id), display_name VARCHAR(100) NOT NULL");
  }

  /** Drops the tables. */
  public void dropSchema() {
    Schema.drop(txs, profiles, users);
  }

  /**
   * Adds a user with a profile, in one transaction.
   *
   * @param id the user id
   * @param email the address, unique
   * @param displayName the name shown
   */
  public void addUser(long id, String email, String displayName) {
    txs.useTransaction(tx -> {
      tx.update("INSERT INTO " + users + " (id, email) VALUES (?, ?)", id, email);
      tx.update("INSERT INTO " + profiles + " (user_id, display_name) VALUES (?, ?)", id, displayName);
    });
  }

  /**
   * Changes the display name and the e-mail address, both or neither.
   *
   * @param userId the user
   * @param displayName the new name
   * @param email the new address
   * @throws ConstraintViolationException if another user has that address; nothing was changed
   * @throws UnexpectedRowCountException if there is no such user; nothing was changed
   */
  public void update(long userId, String displayName, String email) {
    txs.useTransaction(tx -> {
      tx.updateOne("UPDATE " + profiles + " SET display_name = ? WHERE user_id = ?", displayName, userId);
      tx.updateOne("UPDATE " + users + " SET email = ? WHERE id = ?", email, userId);
    });
  }

  /**
   * Reads a profile.
   *
   * @param userId the user
   * @return the stored profile
   * @throws UnexpectedRowCountException if there is no such user
   */
  public Profile profile(long userId) {
    return txs.inTransaction(tx -> tx.queryOne("SELECT u.id AS user_id, u.email, p.display_name FROM " + users
        + " u JOIN " + profiles + " p ON p.user_id = u.id WHERE u.id = ?", Profile.class, userId));
  }

  /**
   * Shows a successful update and one refused by the unique address, on embedded H2 or {@code args[0]}.
   *
   * @param args optional JDBC URL
   */
  public static void main(String[] args) {
    try (Transactions txs = Transactions.create(args.length > 0 ? args[0] : "jdbc:h2:mem:profiles;DB_CLOSE_DELAY=-1")) {
      ProfileUpdate app = new ProfileUpdate(txs, "");
      app.createSchema();
      app.addUser(1, "ada@example.org", "Ada");
      app.addUser(2, "bob@example.org", "Bob");
      app.update(1, "Ada Lovelace", "ada.lovelace@example.org");
      System.out.println("updated:  " + app.profile(1));
      try {
        app.update(1, "Countess of Lovelace", "bob@example.org");
      } catch (ConstraintViolationException e) {
        System.out.println("refused:  " + e.getMessage());
      }
      System.out.println("unchanged, the name too: " + app.profile(1));
      app.dropSchema();
    }
  }
}
