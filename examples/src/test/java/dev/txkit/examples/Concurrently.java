package dev.txkit.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Starts tasks on several threads at the same moment and waits for them, rethrowing the first failure. */
final class Concurrently {

  /** One thread's work. */
  interface Task {
    void run(int thread) throws Exception;
  }

  private Concurrently() {
  }

  static void run(int threads, Task task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Void>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        futures.add(pool.submit(() -> {
          ready.countDown();
          assertTrue(start.await(30, TimeUnit.SECONDS), "start signal");
          task.run(n);
          return null;
        }));
      }
      assertTrue(ready.await(30, TimeUnit.SECONDS), "all threads ready");
      start.countDown();
      for (Future<Void> f : futures) {
        f.get(90, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
