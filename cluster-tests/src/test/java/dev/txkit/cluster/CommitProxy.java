package dev.txkit.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of one node that stops the first {@code COMMIT} a client sends (or the first few, one stop
 * each, from different connections), at an exact point: it either holds the COMMIT back (the node never sees it),
 * or lets the node execute it and holds back the reply (committed, the client never learns it). While the COMMITs
 * are stopped the test kills the node; then {@link #release()} closes the clients' sockets, so the clients see
 * their connections fail during COMMIT. An {@link #unarmed} proxy passes everything through until {@link #arm()}.
 *
 * <p>It reads the client's side of the MariaDB protocol packet by packet (3-byte length, sequence number,
 * payload) and recognises {@code COM_QUERY "COMMIT"}, which is what Connector/J's {@code commit()} sends.
 * Everything else passes through unchanged, in both directions.
 */
final class CommitProxy implements AutoCloseable {

  /** Where the COMMIT is stopped. */
  enum Stop {
    /** Before the node receives it: the transaction cannot have committed. */
    BEFORE_NODE,
    /** After the node executed it and answered, before the client gets the answer: it committed. */
    BEFORE_REPLY
  }

  private static final int COM_QUERY = 0x03;

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Stop[] stops;
  private final AtomicInteger nextStop = new AtomicInteger();
  private volatile boolean armed = true;
  private final CountDownLatch stopped;
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  /**
   * Starts the proxy on an ephemeral port of 127.0.0.1, armed.
   *
   * @param targetHostPort the node, "host:port"
   * @param stops where to stop the first COMMIT, the second, ...
   * @throws IOException if it cannot listen
   */
  CommitProxy(String targetHostPort, Stop... stops) throws IOException {
    String[] hp = targetHostPort.split(":");
    this.target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
    this.stops = stops.clone();
    this.stopped = new CountDownLatch(stops.length);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "commit-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * A proxy that stops no COMMIT until {@link #arm()}: the first COMMITs after that are stopped.
   *
   * @param targetHostPort the node, "host:port"
   * @param stops where to stop the first COMMIT after arming, the second, ...
   * @return the proxy
   * @throws IOException if it cannot listen
   */
  static CommitProxy unarmed(String targetHostPort, Stop... stops) throws IOException {
    CommitProxy p = new CommitProxy(targetHostPort, stops);
    p.armed = false;
    return p;
  }

  /** From now on, stops the next COMMITs. */
  void arm() {
    armed = true;
  }

  /** @return "127.0.0.1:port" of the proxy */
  String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /**
   * Waits until every COMMIT to stop has been stopped (with {@link Stop#BEFORE_REPLY}: until the node's reply to
   * it has arrived at the proxy).
   *
   * @param seconds how long to wait
   * @return whether it happened in time
   * @throws InterruptedException if interrupted
   */
  boolean awaitStopped(long seconds) throws InterruptedException {
    return stopped.await(seconds, TimeUnit.SECONDS);
  }

  /** Drops the stopped connection: the client's socket is closed without the COMMIT's reply. */
  void release() {
    released.countDown();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      try {
        Socket node = new Socket();
        sockets.add(client);
        sockets.add(node);
        // the node may be dead (a test killed it): then the client's connection fails at once, as it would on
        // the node itself, and the proxy goes on accepting
        node.connect(target, 2000);
        // set when this connection's COMMIT went to the node and its reply must be withheld
        AtomicBoolean withhold = new AtomicBoolean();
        start("commit-proxy-up", () -> clientToNode(client, node, withhold));
        start("commit-proxy-down", () -> nodeToClient(node, client, withhold));
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private static void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private void clientToNode(Socket client, Socket node, AtomicBoolean withhold) {
    try (InputStream in = client.getInputStream(); OutputStream out = node.getOutputStream()) {
      byte[] header = new byte[4];
      boolean handshakeDone = false;
      while (true) {
        if (!readFully(in, header, 4)) {
          return;
        }
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        byte[] payload = new byte[length];
        if (!readFully(in, payload, length)) {
          return;
        }
        // the first packet is the handshake response, not a command
        Stop stop = null;
        if (handshakeDone && armed && isCommit(payload)) {
          int i = nextStop.getAndIncrement();
          stop = i < stops.length ? stops[i] : null;
        }
        handshakeDone = true;
        if (stop == Stop.BEFORE_NODE) {
          stopped.countDown();
          awaitRelease();
          closeQuietly(client, node);
          return;
        }
        if (stop == Stop.BEFORE_REPLY) {
          withhold.set(true);
        }
        out.write(header);
        out.write(payload);
        out.flush();
      }
    } catch (IOException e) {
      closeQuietly(client, node);
    }
  }

  private void nodeToClient(Socket node, Socket client, AtomicBoolean withhold) {
    try (InputStream in = node.getInputStream(); OutputStream out = client.getOutputStream()) {
      byte[] buf = new byte[16384];
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          closeQuietly(client, node);
          return;
        }
        if (withhold.get()) {
          // the node has executed the COMMIT and answered: keep the answer from the client
          stopped.countDown();
          awaitRelease();
          closeQuietly(client, node);
          return;
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      closeQuietly(client, node);
    }
  }

  private void awaitRelease() {
    try {
      if (!released.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the stopped COMMIT");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isCommit(byte[] payload) {
    return payload.length > 1 && payload[0] == COM_QUERY
        && new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8).trim().equalsIgnoreCase("COMMIT");
  }

  private static boolean readFully(InputStream in, byte[] buf, int length) throws IOException {
    int off = 0;
    while (off < length) {
      int n = in.read(buf, off, length - off);
      if (n < 0) {
        return false;
      }
      off += n;
    }
    return true;
  }

  private static void closeQuietly(Socket... sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
  }

  @Override
  public void close() throws IOException {
    released.countDown();
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
