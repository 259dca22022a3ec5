package dev.txkit.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on the loopback interface between a client and a database server that counts round trips: each
 * time the client starts sending after the server has answered (or for the first time) is one exchange in which
 * the client waits for the server. It sees the bytes on the wire, so it counts what actually reaches the server,
 * whatever the driver or the library above it does; several protocol messages that the driver sends together
 * (pgjdbc sends {@code BEGIN} with the first statement) count once, as they cost one wait.
 */
public final class WireRelay implements AutoCloseable {

  private final ServerSocket server;
  private final String upstreamHost;
  private final int upstreamPort;
  private final AtomicLong exchanges = new AtomicLong();
  private final Thread acceptor;

  /**
   * Starts relaying to the server.
   *
   * @param upstreamHost the server's host
   * @param upstreamPort the server's port
   * @throws IOException if no local port can be bound
   */
  public WireRelay(String upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.acceptor = new Thread(this::accept, "wire-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return the port clients connect to */
  public int port() {
    return server.getLocalPort();
  }

  /** @return exchanges counted since the last {@link #reset()} */
  public long exchanges() {
    return exchanges.get();
  }

  /** Starts counting from zero. */
  public void reset() {
    exchanges.set(0);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(upstreamHost, upstreamPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        boolean[] clientSpeaking = {false};
        pump(client, upstream, () -> {
          synchronized (clientSpeaking) {
            if (!clientSpeaking[0]) {
              clientSpeaking[0] = true;
              exchanges.incrementAndGet();
            }
          }
        });
        // the flag is cleared before the reply is forwarded, so the client's next request sees it cleared
        pump(upstream, client, () -> {
          synchronized (clientSpeaking) {
            clientSpeaking[0] = false;
          }
        });
      } catch (IOException e) {
        if (!server.isClosed()) {
          throw new IllegalStateException("relay failed to accept or connect", e);
        }
      }
    }
  }

  private static void pump(Socket from, Socket to, Runnable beforeForwarding) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[65536];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          beforeForwarding.run();
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    }, "wire-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
