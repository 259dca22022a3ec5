package dev.txkit.examples;

import dev.txkit.ConstraintViolationException;
import dev.txkit.Isolation;
import dev.txkit.TxOptions;
import dev.txkit.UnexpectedRowCountException;
import dev.txkit.jdbc.Transactions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * Books the last seats of a flight under concurrency with no check-then-insert in the application: each booking
 * takes a seat with {@code UPDATE flights SET seats_left = seats_left - 1}, and the table's
 * {@code CHECK (seats_left >= 0)} refuses the booking that would take one seat too many. The database does the
 * rest: the update locks the flight's row, so concurrent bookers queue on it and each sees the seats the one before
 * it left (READ COMMITTED). Exactly {@code capacity} bookings succeed however many threads try; the others get
 * {@link SoldOutException} and nothing of theirs is written. Run it:
 * {@code mvn -q -pl examples -am test-compile exec:java -Dexec.mainClass=dev.txkit.examples.LastSeatBooking}.
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
    // READ COMMITTED: the seat update reads the latest committed row once it has the row's lock, on every
    // database (under PostgreSQL's REPEATABLE READ it would fail with a serialization failure instead, and retry).
    this.booking = txs.defaults().toBuilder().isolation(Isolation.READ_COMMITTED).name("booking").build();
  }

  /** Drops and creates the flights and bookings tables. */
  public void createSchema() {
    Schema.recreate(txs,
        flights, "id BIGINT PRIMARY KEY, code VARCHAR(20) NOT NULL, capacity INT NOT NULL, "
            + "seats_left INT NOT NULL, CONSTRAINT " + flights + "_seats CHECK (seats_left >= 0)",
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
    txs.useTransaction(tx -> tx.update("INSERT INTO " + flights + " (id, code, capacity, seats_left) "
        + "VALUES (?, ?, ?, ?)", id, code, capacity, capacity));
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
      try {
        tx.updateOne("UPDATE " + flights + " SET seats_left = seats_left - 1 WHERE id = ?", flightId);
      } catch (UnexpectedRowCountException e) {
        throw new IllegalArgumentException("No flight with id " + flightId, e);
      } catch (ConstraintViolationException e) {
        // the CHECK refused seats_left = -1: the last seat is gone; the transaction rolls back
        throw new SoldOutException("Flight " + flightId + " is sold out: every seat is booked; " + passenger
            + " was not booked");
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

  /**
   * Seats left on a flight.
   *
   * @param flightId the flight
   * @return what the flight's row says
   */
  public int seatsLeft(long flightId) {
    return txs.inTransaction(tx -> tx.queryOne("SELECT seats_left FROM " + flights + " WHERE id = ?",
        Integer.class, flightId));
  }

  /**
   * 20 passengers try to book a flight with 5 seats at the same moment, on embedded H2 or {@code args[0]}.
   *
   * @param args optional JDBC URL
   * @throws InterruptedException if interrupted while waiting for the passengers
   */
  public static void main(String[] args) throws InterruptedException {
    try (Transactions txs = Transactions.create(args.length > 0 ? args[0] : "jdbc:h2:mem:seats;DB_CLOSE_DELAY=-1")) {
      LastSeatBooking airline = new LastSeatBooking(txs, "");
      airline.createSchema();
      airline.addFlight(101, "TX 101", 5);
      List<String> booked = Collections.synchronizedList(new ArrayList<>());
      List<String> soldOut = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> passengers = new ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        String name = "passenger-" + i;
        Thread t = new Thread(() -> {
          try {
            start.await();
            airline.book(101, name);
            booked.add(name);
          } catch (SoldOutException e) {
            soldOut.add(name);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, name);
        t.start();
        passengers.add(t);
      }
      start.countDown();
      for (Thread t : passengers) {
        t.join();
      }
      System.out.println("booked (" + booked.size() + "): " + booked);
      System.out.println("told sold out: " + soldOut.size());
      System.out.println("in the database: " + airline.bookedSeats(101) + " bookings, " + airline.seatsLeft(101)
          + " seats left");
      airline.dropSchema();
    }
  }
}
