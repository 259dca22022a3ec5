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

/**
 * A TCP proxy in front of one node that stops the first {@code COMMIT} a client sends, at an exact point: it
 * either holds the COMMIT back (the node never sees it), or lets the node execute it and holds back the reply
 * (committed, the client never learns it). While the COMMIT is stopped the test kills the node; then
 * {@link #release()} closes the client's socket, so the client sees its connection fail during COMMIT.
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
  private final Stop stop;
  private final AtomicBoolean armed = new AtomicBoolean(true);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  /**
   * Starts the proxy on an ephemeral port of 127.0.0.1.
   *
   * @param targetHostPort the node, "host:port"
   * @param stop where to stop the first COMMIT
   * @throws IOException if it cannot listen
   */
  CommitProxy(String targetHostPort, Stop stop) throws IOException {
    String[] hp = targetHostPort.split(":");
    this.target = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
    this.stop = stop;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "commit-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return "127.0.0.1:port" of the proxy */
  String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /**
   * Waits until a COMMIT has been stopped (with {@link Stop#BEFORE_REPLY}: until the node's reply to it has
   * arrived at the proxy).
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
      try {
        Socket client = server.accept();
        Socket node = new Socket();
        node.connect(target, 2000);
        sockets.add(client);
        sockets.add(node);
        // set when this connection's COMMIT went to the node and its reply must be withheld
        AtomicBoolean withhold = new AtomicBoolean();
        start("commit-proxy-up", () -> clientToNode(client, node, withhold));
        start("commit-proxy-down", () -> nodeToClient(node, client, withhold));
      } catch (IOException e) {
        return;
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
        boolean commit = handshakeDone && isCommit(payload) && armed.compareAndSet(true, false);
        handshakeDone = true;
        if (commit && stop == Stop.BEFORE_NODE) {
          stopped.countDown();
          awaitRelease();
          closeQuietly(client, node);
          return;
        }
        if (commit) {
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
