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
      airline.addFlight(1, "TX 1", 5);
      airline.addFlight(2, "TX 2", 3);
      List<String> booked = new CopyOnWriteArrayList<>();
      List<String> soldOut = new CopyOnWriteArrayList<>();
      Concurrently.run(16, thread -> {
        for (long flight = 1; flight <= 2; flight++) {
          try {
            airline.book(flight, "p" + thread);
            booked.add(flight + ":p" + thread);
          } catch (SoldOutException e) {
            assertTrue(e.getMessage().contains("sold out"), e.getMessage());
            soldOut.add(flight + ":p" + thread);
          }
        }
      });
      assertEquals(5, airline.bookedSeats(1), "seats booked on flight 1");
      assertEquals(3, airline.bookedSeats(2), "seats booked on flight 2");
      assertEquals(8, booked.size(), "bookings reported to callers");
      assertEquals(24, soldOut.size(), "callers told sold out");
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
