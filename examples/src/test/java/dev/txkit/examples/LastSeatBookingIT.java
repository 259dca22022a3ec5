package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.txkit.examples.LastSeatBooking.SoldOutException;
import dev.txkit.jdbc.TestDatabases.TestDb;
import dev.txkit.jdbc.Transactions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LastSeatBookingIT {

  private static final String PREFIX = "ex_seat_";

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void exactlyCapacityBookingsSucceedAndTheOthersAreSoldOut(TestDb db) throws Exception {
    LastSeatBooking airline = new LastSeatBooking(Transactions.create(db.dataSource()), PREFIX);
    airline.createSchema();
    try {
      // Many flights with few seats, all threads booking them in the same order: every last seat is raced for.
      int flights = 40;
      for (long flight = 1; flight <= flights; flight++) {
        airline.addFlight(flight, "TX " + flight, flight == 1 ? 5 : 1);
      }
      int threads = 8;
      List<String> booked = new CopyOnWriteArrayList<>();
      List<String> soldOut = new CopyOnWriteArrayList<>();
      Concurrently.run(threads, thread -> {
        for (long flight = 1; flight <= flights; flight++) {
          try {
            airline.book(flight, "p" + thread);
            booked.add(flight + ":p" + thread);
          } catch (SoldOutException e) {
            assertTrue(e.getMessage().contains("sold out"), e.getMessage());
            soldOut.add(flight + ":p" + thread);
          }
        }
      });
      assertEquals(5, airline.bookedSeats(1), "seats booked on the flight with 5 seats");
      assertEquals(0, db.queryLong("SELECT MIN(seats_left) FROM " + PREFIX + "flights"), "no seat left anywhere");
      assertEquals(0, db.queryLong("SELECT MAX(seats_left) FROM " + PREFIX + "flights"));
      for (long flight = 2; flight <= flights; flight++) {
        assertEquals(1, airline.bookedSeats(flight), "seats booked on flight " + flight + " with 1 seat");
      }
      int seats = 5 + (flights - 1);
      assertEquals(seats, booked.size(), "bookings reported to callers");
      assertEquals(threads * flights - seats, soldOut.size(), "callers told sold out");
    } finally {
      airline.dropSchema();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.txkit.jdbc.TestDatabases#all")
  void bookingAnUnknownFlightFails(TestDb db) {
    LastSeatBooking airline = new LastSeatBooking(Transactions.create(db.dataSource()), PREFIX);
    airline.createSchema();
    try {
      assertThrows(IllegalArgumentException.class, () -> airline.book(42, "p"));
      assertEquals(0, airline.bookedSeats(42));
    } finally {
      airline.dropSchema();
    }
  }
}
