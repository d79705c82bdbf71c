package dev.slipway.agent.apilb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-local API load balancer (DESIGN.md decision 9): a TCP proxy on {@code 127.0.0.1:6444}
 * that checks every master's API server and sends each new connection to a healthy one, in
 * turn. TLS passes through untouched, so clients authenticate to the API server itself. When a
 * master dies its connections break and new ones go to the others.
 */
public final class ApiLoadBalancer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApiLoadBalancer.class);
  public static final Duration CHECK_PERIOD = Duration.ofSeconds(2);
  private static final int CONNECT_TIMEOUT_MS = 3_000;

  private final ServerSocket listener;
  private final List<InetSocketAddress> backends;
  private final HealthCheck check;
  private final Map<InetSocketAddress, Boolean> healthy = new ConcurrentHashMap<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread acceptor;
  private final Thread checker;

  private ApiLoadBalancer(ServerSocket listener, List<InetSocketAddress> backends, HealthCheck check) {
    this.listener = listener;
    this.backends = List.copyOf(backends);
    this.check = check;
    backends.forEach(b -> healthy.put(b, false));
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
      boolean up = check.healthy(backend);
      Boolean before = healthy.put(backend, up);
      if (before != null && before != up) {
        log.info("API server {} is {}", backend, up ? "healthy again" : "unhealthy; new connections go elsewhere");
      }
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Thread.ofVirtual().name("apilb-conn").start(() -> proxy(client));
      } catch (IOException e) {
        if (!listener.isClosed()) {
          log.warn("API load balancer accept failed: {}", e.getMessage());
        }
      }
    }
  }

  private void proxy(Socket client) {
    Optional<Socket> upstream = connect();
    if (upstream.isEmpty()) {
      log.warn("no API server is reachable from {} ({}); closing the client's connection", address(), backends);
      closeQuietly(client);
      return;
    }
    Socket server = upstream.get();
    open.add(client);
    open.add(server);
    Thread back = Thread.ofVirtual().name("apilb-pump").start(() -> pump(server, client));
    pump(client, server);
    try {
      back.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    open.remove(client);
    open.remove(server);
  }

  /** Healthy backends first, in turn; an unhealthy one only when none is healthy (its check may be stale). */
  private Optional<Socket> connect() {
    int start = Math.floorMod(next.getAndIncrement(), backends.size());
    List<InetSocketAddress> order = new java.util.ArrayList<>();
    for (int i = 0; i < backends.size(); i++) {
      order.add(backends.get((start + i) % backends.size()));
    }
    order.sort((a, b) -> Boolean.compare(!healthy.getOrDefault(a, false), !healthy.getOrDefault(b, false)));
    for (InetSocketAddress backend : order) {
      Socket socket = new Socket();
      try {
        socket.connect(backend, CONNECT_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        return Optional.of(socket);
      } catch (IOException e) {
        healthy.put(backend, false);
        closeQuietly(socket);
      }
    }
    return Optional.empty();
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
    } catch (SocketException e) {
      closeQuietly(to);
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
    open.forEach(ApiLoadBalancer::closeQuietly);
    checker.interrupt();
    acceptor.interrupt();
  }
}
