package dev.txkit.examples;

import dev.txkit.Propagation;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.util.Objects;

/**
 * A repository whose methods must run inside the caller's transaction: they use {@link Propagation#MANDATORY},
 * so each joins the transaction the service started (and commits or rolls back with it), and a call made
 * outside any transaction fails at once with {@link IllegalStateException} instead of committing its one
 * statement on its own. Run it:
 * {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.txkit.examples.AccountRepository}.
 *
 * <p>Thread-safe.
 */
public final class AccountRepository {

  private final Transactions txs;
  private final String accounts;
  private final TxOptions mandatory;

  /**
   * A repository of the accounts in table {@code accounts}.
   *
   * @param txs the transactions the services use too
   * @param accounts the table name
   */
  public AccountRepository(Transactions txs, String accounts) {
    this.txs = Objects.requireNonNull(txs, "txs");
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.mandatory = TxOptions.builder().propagation(Propagation.MANDATORY).name("accounts repository").build();
  }

  /** Drops and creates the table. */
  public void createSchema() {
    Schema.recreate(txs, accounts, "id BIGINT PRIMARY KEY, balance BIGINT NOT NULL");
  }

  /** Drops the table. */
  public void dropSchema() {
    Schema.drop(txs, accounts);
  }

  /**
   * Opens an account, inside the caller's transaction.
   *
   * @param id the account
   * @param balance cents
   * @throws IllegalStateException if no transaction is active on this thread
   */
  public void open(long id, long balance) {
    txs.useTransaction(mandatory, tx -> tx.update("INSERT INTO " + accounts + " (id, balance) VALUES (?, ?)", id,
        balance));
  }

  /**
   * Adds to (or, negative, takes from) a balance, inside the caller's transaction.
   *
   * @param id the account
   * @param cents the change
   * @throws IllegalStateException if no transaction is active on this thread
   * @throws UnexpectedRowCountException if there is no such account, or it would go below zero
   */
  public void change(long id, long cents) {
    txs.useTransaction(mandatory, tx -> tx.updateOne("UPDATE " + accounts + " SET balance = balance + ? "
        + "WHERE id = ? AND balance + ? >= 0", cents, id, cents));
  }

  /**
   * Reads a balance, inside the caller's transaction.
   *
   * @param id the account
   * @return cents
   * @throws IllegalStateException if no transaction is active on this thread
   */
  public long balance(long id) {
    return txs.inTransaction(mandatory, tx -> tx.queryOne("SELECT balance FROM " + accounts + " WHERE id = ?",
        Long.class, id));
  }

  /**
   * A service method: one transaction around two repository calls.
   *
   * @param from debited
   * @param to credited
   * @param cents positive
   * @throws UnexpectedRowCountException if {@code from} has too little; neither account changed
   */
  public void transfer(long from, long to, long cents) {
    txs.useTransaction(tx -> {
      change(to, cents);
      change(from, -cents);
    });
  }

  /**
   * Shows the service call and the refused call outside a transaction, on embedded H2 or {@code args[0]}.
   *
   * @param args optional JDBC URL
   */
  public static void main(String[] args) {
    try (Transactions txs = Transactions.create(args.length > 0 ? args[0] : "jdbc:h2:mem:repository;DB_CLOSE_DELAY=-1")) {
      AccountRepository repo = new AccountRepository(txs, "accounts");
      repo.createSchema();
      txs.useTransaction(tx -> {
        repo.open(1, 100_00);
        repo.open(2, 0);
      });
      repo.transfer(1, 2, 40_00);
      System.out.println("after the transfer: " + txs.inTransaction(tx -> repo.balance(1) + " / " + repo.balance(2)));
      try {
        repo.change(1, -10_00);
      } catch (IllegalStateException e) {
        System.out.println("outside a transaction: " + e.getMessage());
      }
      repo.dropSchema();
    }
  }
}
