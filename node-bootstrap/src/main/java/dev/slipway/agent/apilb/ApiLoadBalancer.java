package dev.slipway.agent.apilb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-local API load balancer (DESIGN.md decision 9): a TCP proxy on {@code 127.0.0.1:6444}
 * that checks every master's API server and sends each new connection to a healthy one, in
 * turn. TLS passes through untouched, so clients authenticate to the API server itself.
 *
 * <p>A master that loses power sends no RST: its connections would hang, and with them the
 * watches and heartbeats riding on them. So a backend that fails {@link #FAILED_CHECKS_TO_CUT}
 * checks in a row has its open connections closed (clients then reconnect, to another master),
 * and every upstream connection has TCP keepalive probes that give up on a silent peer.
 */
public final class ApiLoadBalancer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApiLoadBalancer.class);
  public static final Duration CHECK_PERIOD = Duration.ofSeconds(2);
  /** Consecutive failed checks after which a backend's open connections are cut; one slow answer is not enough. */
  static final int FAILED_CHECKS_TO_CUT = 2;
  /** How long close() waits for the accepting thread to leave, which closes the port (it wakes at once). */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  private static final int CONNECT_TIMEOUT_MS = 3_000;
  /** Keepalive on upstream connections: probes after 10 s of silence, 5 s apart, 3 unanswered ones close it. */
  private static final int KEEPALIVE_IDLE_SECONDS = 10;
  private static final int KEEPALIVE_INTERVAL_SECONDS = 5;
  private static final int KEEPALIVE_PROBES = 3;

  private final ServerSocket listener;
  private final List<InetSocketAddress> backends;
  private final HealthCheck check;
  private final Map<InetSocketAddress, Boolean> healthy = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Integer> failedChecks = new ConcurrentHashMap<>();
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread acceptor;
  private final Thread checker;

  /** One client connection and the upstream connection it is proxied to. */
  private record Session(Socket client, Socket server, InetSocketAddress backend) {
    void close() {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private ApiLoadBalancer(ServerSocket listener, List<InetSocketAddress> backends, HealthCheck check) {
    this.listener = listener;
    this.backends = List.copyOf(backends);
    this.check = check;
    backends.forEach(b -> {
      healthy.put(b, false);
      failedChecks.put(b, 0);
    });
    checkAll();
    this.checker = Thread.ofVirtual().name("apilb-check").start(this::checkLoop);
    this.acceptor = Thread.ofVirtual().name("apilb-accept").start(this::acceptLoop);
  }

  /** Listens on {@code address:port} (0 picks a free port) and starts checking the backends. */
  public static ApiLoadBalancer start(String address, int port, List<InetSocketAddress> backends, HealthCheck check) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("the API load balancer needs at least one API server");
    }
    try {
      ServerSocket listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(address, port), 128);
      log.info("API load balancer on {}:{} for {}", address, listener.getLocalPort(), backends);
      return new ApiLoadBalancer(listener, backends, check);
    } catch (IOException e) {
      throw new IllegalStateException("the API load balancer cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /** The backends that passed their last check. */
  public List<InetSocketAddress> healthyBackends() {
    return backends.stream().filter(b -> healthy.getOrDefault(b, false)).toList();
  }

  /** How many client connections are proxied to {@code backend} now. */
  int openConnections(InetSocketAddress backend) {
    return (int) sessions.stream().filter(s -> s.backend().equals(backend)).count();
  }

  private void checkLoop() {
    try {
      while (!closed.await(CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS)) {
        checkAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void checkAll() {
    for (InetSocketAddress backend : backends) {
      boolean up = passes(backend);
      int failed = up ? 0 : failedChecks.getOrDefault(backend, 0) + 1;
      failedChecks.put(backend, failed);
      Boolean before = healthy.put(backend, up);
      if (before != null && before != up) {
        log.info("API server {} is {}", backend, up ? "healthy again" : "unhealthy; new connections go elsewhere");
      }
      if (failed == FAILED_CHECKS_TO_CUT) {
        cut(backend);
      }
    }
  }

  /** A check that throws counts as failed: the checker must outlive any one backend's trouble. */
  private boolean passes(InetSocketAddress backend) {
    try {
      return check.healthy(backend);
    } catch (RuntimeException e) {
      log.debug("health check of {} failed: {}", backend, e.toString());
      return false;
    }
  }

  /** Closes the connections to a backend that stopped answering, so that their clients reconnect elsewhere. */
  private void cut(InetSocketAddress backend) {
    List<Session> toCut = sessions.stream().filter(s -> s.backend().equals(backend)).toList();
    toCut.forEach(Session::close);
    if (!toCut.isEmpty()) {
      log.warn("API server {} failed {} checks in a row; closed its {} open connections so that their clients reconnect elsewhere",
          backend, FAILED_CHECKS_TO_CUT, toCut.size());
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        if (closed.getCount() == 0) {
          closeQuietly(client); // accepted while close() was waking this thread: see close()
          return;
        }
        Thread.ofVirtual().name("apilb-conn").start(() -> proxy(client));
      } catch (IOException e) {
        if (!listener.isClosed()) {
          log.warn("API load balancer accept failed: {}", e.getMessage());
        }
      }
    }
  }

  private void proxy(Socket client) {
    Optional<Upstream> upstream = connect();
    if (upstream.isEmpty()) {
      log.warn("no API server is reachable from {} ({}); closing the client's connection", address(), backends);
      closeQuietly(client);
      return;
    }
    Session session = new Session(client, upstream.get().socket(), upstream.get().backend());
    sessions.add(session);
    try {
      if (closed.getCount() == 0) {
        return;
      }
      Thread back = Thread.ofVirtual().name("apilb-pump").start(() -> pump(session.server(), client));
      pump(client, session.server());
      back.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sessions.remove(session);
      session.close();
    }
  }

  private record Upstream(Socket socket, InetSocketAddress backend) {
  }

  /** Healthy backends first, in turn; an unhealthy one only when none is healthy (its check may be stale). */
  private Optional<Upstream> connect() {
    int start = Math.floorMod(next.getAndIncrement(), backends.size());
    List<InetSocketAddress> order = new ArrayList<>();
    for (int i = 0; i < backends.size(); i++) {
      order.add(backends.get((start + i) % backends.size()));
    }
    order.sort((a, b) -> Boolean.compare(!healthy.getOrDefault(a, false), !healthy.getOrDefault(b, false)));
    for (InetSocketAddress backend : order) {
      Socket socket = new Socket();
      try {
        socket.connect(backend, CONNECT_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        keepAlive(socket);
        return Optional.of(new Upstream(socket, backend));
      } catch (IOException e) {
        healthy.put(backend, false);
        closeQuietly(socket);
      }
    }
    return Optional.empty();
  }

  private static void keepAlive(Socket socket) throws IOException {
    socket.setKeepAlive(true);
    try {
      socket.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_SECONDS);
      socket.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_PROBES);
    } catch (UnsupportedOperationException e) {
      // not on this platform: the system's keepalive timers apply, and the health check still cuts
    }
  }

  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(to);
    } finally {
      closeQuietly(from);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing on the way out
    }
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing
    }
    sessions.forEach(Session::close);
    checker.interrupt();
    acceptor.interrupt();
    // A virtual thread parked in accept() keeps the listening descriptor open until it wakes and
    // leaves (it may even accept once more); the port is closed only when it has.
    try {
      acceptor.join(CLOSE_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
