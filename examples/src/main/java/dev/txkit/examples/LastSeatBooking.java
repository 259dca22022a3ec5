package dev.txkit.examples;

import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import java.util.Objects;

/**
 * Books seats on a flight with a check-then-insert that is safe under concurrency: lock the flight's row with
 * {@link dev.txkit.jdbc.Tx#lockRows}, count its bookings, insert one if a seat is left. Without the lock two
 * passengers could both see the last seat free and the flight would be overbooked; with it, exactly
 * {@code capacity} bookings succeed however many threads try, and the others get {@link SoldOutException}.
 *
 * <p>Thread-safe.
 */
public final class LastSeatBooking {

  /** Thrown when every seat of a flight is taken. Nothing was booked. */
  public static final class SoldOutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SoldOutException(String message) {
      super(message);
    }
  }

  private final Transactions txs;
  private final String flights;
  private final String bookings;
  private final TxOptions booking;

  /**
   * Bookings on the tables {@code prefix + "flights"} and {@code prefix + "bookings"}.
   *
   * @param txs the transactions
   * @param prefix the table-name prefix, e.g. {@code ""}
   */
  public LastSeatBooking(Transactions txs, String prefix) {
    this.txs = Objects.requireNonNull(txs, "txs");
    this.flights = prefix + "flights";
    this.bookings = prefix + "bookings";
    // READ COMMITTED: every statement reads the latest committed rows, so the count in book() sees every
    // booking committed before this transaction got the flight's lock, on every database.
    this.booking = txs.defaults().toBuilder().isolation(Isolation.READ_COMMITTED).name("booking").build();
  }

  /** Drops and creates the flights and bookings tables. */
  public void createSchema() {
    Schema.recreate(txs,
        flights, "id BIGINT PRIMARY KEY, code VARCHAR(20) NOT NULL, capacity INT NOT NULL",
        bookings, "id " + Schema.generatedKey(txs.database())
            + ", flight_id BIGINT NOT NULL, passenger VARCHAR(100) NOT NULL");
  }

  /** Drops the tables. */
  public void dropSchema() {
    Schema.drop(txs, bookings, flights);
  }

  /**
   * Adds a flight.
   *
   * @param id the flight id
   * @param code e.g. {@code "TX 101"}
   * @param capacity the number of seats
   */
  public void addFlight(long id, String code, int capacity) {
    txs.useTransaction(tx -> tx.update("INSERT INTO " + flights + " (id, code, capacity) VALUES (?, ?, ?)",
        id, code, capacity));
  }

  /**
   * Books a seat.
   *
   * @param flightId the flight
   * @param passenger the passenger's name
   * @return the booking id
   * @throws SoldOutException if every seat is taken
   * @throws IllegalArgumentException if there is no such flight
   */
  public long book(long flightId, String passenger) {
    return txs.inTransaction(booking, tx -> {
      if (tx.lockRows(flights, "id", List.of(flightId)).isEmpty()) {
        throw new IllegalArgumentException("No flight with id " + flightId);
      }
      int capacity = tx.queryOne("SELECT capacity FROM " + flights + " WHERE id = ?", Integer.class, flightId);
      long booked = tx.queryOne("SELECT COUNT(*) FROM " + bookings + " WHERE flight_id = ?", Long.class, flightId);
      if (booked >= capacity) {
        throw new SoldOutException("Flight " + flightId + " is sold out: all " + capacity + " seats are booked; "
            + passenger + " was not booked");
      }
      return tx.insertAndReturnKey("INSERT INTO " + bookings + " (flight_id, passenger) VALUES (?, ?)",
          flightId, passenger);
    });
  }

  /**
   * How many seats of a flight are booked.
   *
   * @param flightId the flight
   * @return the number of bookings
   */
  public long bookedSeats(long flightId) {
    return txs.inTransaction(tx -> tx.queryOne("SELECT COUNT(*) FROM " + bookings + " WHERE flight_id = ?",
        Long.class, flightId));
  }
}
