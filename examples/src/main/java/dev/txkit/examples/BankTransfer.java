package dev.txkit.examples;

import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import java.util.Objects;

/**
 * Moves money between two accounts: both rows are locked in one canonical order with
 * {@link dev.txkit.jdbc.Tx#lockRows}, so two opposite transfers cannot deadlock, then one {@code updateOne}
 * credits and one debits. A debit that finds too little money changes no row, {@code updateOne} throws
 * {@link UnexpectedRowCountException}, and the whole transfer (the credit too) rolls back.
 *
 * <p>Balances are whole cents. Thread-safe.
 */
public final class BankTransfer {

  private final Transactions txs;
  private final String accounts;
  private final TxOptions transfer;

  /**
   * Transfers between the accounts of table {@code accounts}.
   *
   * @param txs the transactions
   * @param accounts the table name, e.g. {@code "accounts"}
   */
  public BankTransfer(Transactions txs, String accounts) {
    this.txs = Objects.requireNonNull(txs, "txs");
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.transfer = txs.defaults().toBuilder().name("transfer").build();
  }

  /** Drops and creates the accounts table. */
  public void createSchema() {
    Schema.recreate(txs, accounts,
        "id BIGINT PRIMARY KEY, owner VARCHAR(100) NOT NULL, balance BIGINT NOT NULL");
  }

  /** Drops the accounts table. */
  public void dropSchema() {
    Schema.drop(txs, accounts);
  }

  /**
   * Opens an account.
   *
   * @param id the account number
   * @param owner the owner's name
   * @param balance the opening balance in cents
   */
  public void openAccount(long id, String owner, long balance) {
    txs.useTransaction(tx -> tx.update("INSERT INTO " + accounts + " (id, owner, balance) VALUES (?, ?, ?)",
        id, owner, balance));
  }

  /**
   * Moves {@code amount} cents from one account to another, all or nothing.
   *
   * @param from the account to debit
   * @param to the account to credit
   * @param amount cents, positive
   * @throws UnexpectedRowCountException if {@code from} has less than {@code amount}; nothing was changed
   * @throws IllegalArgumentException if an account does not exist, or the amount is not positive
   */
  public void transfer(long from, long to, long amount) {
    if (amount <= 0 || from == to) {
      throw new IllegalArgumentException("Transfer " + amount + " from " + from + " to " + to
          + ": the amount must be positive and the accounts different");
    }
    txs.useTransaction(transfer, tx -> {
      List<Long> locked = tx.lockRows(accounts, "id", List.of(from, to));
      if (locked.size() != 2) {
        throw new IllegalArgumentException("Transfer from " + from + " to " + to + ": no such account; found only "
            + locked);
      }
      tx.updateOne("UPDATE " + accounts + " SET balance = balance + ? WHERE id = ?", amount, to);
      // Zero rows updated means too little money: updateOne throws, and the credit above is rolled back too.
      tx.updateOne("UPDATE " + accounts + " SET balance = balance - ? WHERE id = ? AND balance >= ?",
          amount, from, amount);
    });
  }

  /**
   * The balance of one account.
   *
   * @param id the account
   * @return cents
   * @throws UnexpectedRowCountException if there is no such account
   */
  public long balance(long id) {
    return txs.inTransaction(tx -> tx.queryOne("SELECT balance FROM " + accounts + " WHERE id = ?", Long.class, id));
  }

  /**
   * The sum of all balances, which transfers never change.
   *
   * @return cents
   */
  public long totalBalance() {
    return txs.inTransaction(tx -> tx.queryOne("SELECT COALESCE(SUM(balance), 0) FROM " + accounts, Long.class));
  }

  /**
   * The lowest balance of all accounts, which transfers never make negative.
   *
   * @return cents
   */
  public long lowestBalance() {
    return txs.inTransaction(tx -> tx.queryOne("SELECT COALESCE(MIN(balance), 0) FROM " + accounts, Long.class));
  }

  /**
   * A transfer that commits and one refused for too little money, on embedded H2 or {@code args[0]}.
   *
   * @param args optional JDBC URL
   */
  public static void main(String[] args) {
    try (Transactions txs = Transactions.create(args.length > 0 ? args[0] : "jdbc:h2:mem:bank;DB_CLOSE_DELAY=-1")) {
      BankTransfer bank = new BankTransfer(txs, "accounts");
      bank.createSchema();
      bank.openAccount(1, "Alice", 100_00);
      bank.openAccount(2, "Bob", 50_00);
      bank.transfer(1, 2, 30_00);
      System.out.println("Alice -> Bob 30.00: committed; balances " + bank.balance(1) + " / " + bank.balance(2));
      try {
        bank.transfer(2, 1, 500_00);
      } catch (UnexpectedRowCountException e) {
        System.out.println("Bob -> Alice 500.00: refused (" + e.getMessage() + "); balances " + bank.balance(1)
            + " / " + bank.balance(2) + ", Alice's credit rolled back with the debit");
      }
      bank.dropSchema();
    }
  }
}
