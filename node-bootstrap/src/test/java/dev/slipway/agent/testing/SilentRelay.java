package dev.slipway.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on 127.0.0.1 in front of one server, which can make the server look like a machine
 * that lost power: its open connections go silent (bytes are swallowed, nothing comes back, nothing
 * is closed: no FIN, no RST) and new connections are refused. {@link #freezeOpenConnections()}
 * silences only the connections open now, as a lost path does while the server is fine.
 */
public final class SilentRelay implements AutoCloseable {

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();

  /** One relayed connection; silent ones swallow what either side sends. */
  private static final class Link {
    final Socket client;
    final Socket server;
    volatile boolean silent;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void close() {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private SilentRelay(InetSocketAddress target, ServerSocket listener) {
    this.target = target;
    this.listener = listener;
    Thread.ofVirtual().name("relay-accept").start(this::acceptLoop);
  }

  public static SilentRelay to(URI server) {
    try {
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      return new SilentRelay(new InetSocketAddress(server.getHost(), server.getPort()), listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SilentRelay to(InetSocketAddress server) {
    return to(URI.create("tcp://" + server.getHostString() + ":" + server.getPort()));
  }

  /** {@code https://127.0.0.1:<relay port>}. */
  public URI url() {
    return URI.create("https://127.0.0.1:" + listener.getLocalPort());
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", listener.getLocalPort());
  }

  /** The machine behind loses power: open connections hang, new ones are refused. */
  public void powerOff() {
    closeQuietly(listener);
    freezeOpenConnections();
  }

  /** The connections open now hang; new ones are relayed as before. */
  public void freezeOpenConnections() {
    links.forEach(link -> link.silent = true);
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      Socket server = new Socket();
      try {
        server.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(server);
        continue;
      }
      Link link = new Link(client, server);
      links.add(link);
      Thread.ofVirtual().start(() -> pump(link, client, server));
      Thread.ofVirtual().start(() -> pump(link, server, client));
    }
  }

  private void pump(Link link, Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (!link.silent) {
          out.write(buffer, 0, n);
          out.flush();
        }
      }
      if (!link.silent) {
        link.close();
      }
    } catch (IOException e) {
      if (!link.silent) {
        link.close();
      }
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // on the way out
    }
  }

  @Override
  public void close() {
    closeQuietly(listener);
    links.forEach(Link::close);
    links.clear();
  }
}
