package dev.slipway.agent.apilb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.testing.SilentRelay;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Component test on loopback: the load balancer in front of two line-echo servers, one of them
 * behind a relay that can make it look like a master that lost power (no RST, no answer).
 */
class ApiLoadBalancerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : open.reversed()) {
      closeable.close();
    }
  }

  @Test
  void connectionsToABackendThatFallsSilentAreClosedAndNewOnesGoToTheOther() throws Exception {
    // Given: the first connection goes to backend a, through a relay that can fall silent
    SilentRelay a = keep(SilentRelay.to(keep(NamedEcho.start("a")).address()));
    NamedEcho b = keep(NamedEcho.start("b"));
    ApiLoadBalancer balancer = keep(ApiLoadBalancer.start("127.0.0.1", 0, List.of(a.address(), b.address()), HealthCheck.tcpConnect()));
    Line toA = keep(Line.open(balancer.address()));
    assertThat(toA.ask("hello")).isEqualTo("a:hello");

    // When
    a.powerOff();
    CompletableFuture<String> answer = toA.askLater("still there?");

    // Then: the client's connection is closed instead of hanging, and a new one reaches b
    String got = await().atMost(WAIT).until(() -> answer.isDone() ? answer.get() : null, r -> r != null);
    assertThat(got).as("what the client read on its connection to the silent backend").isEqualTo(Line.CLOSED);
    await().atMost(WAIT).untilAsserted(() -> assertThat(balancer.openConnections(a.address())).isZero());
    try (Line next = Line.open(balancer.address())) {
      assertThat(next.ask("hello")).isEqualTo("b:hello");
    }
  }

  @Test
  void oneFailedCheckDoesNotCloseOpenConnections() throws Exception {
    // Given: backend a fails its second check only
    NamedEcho a = keep(NamedEcho.start("a"));
    NamedEcho b = keep(NamedEcho.start("b"));
    Map<InetSocketAddress, AtomicInteger> checks = new ConcurrentHashMap<>();
    HealthCheck flaky = backend -> checks.computeIfAbsent(backend, k -> new AtomicInteger()).incrementAndGet() != 2 || !backend.equals(a.address());
    ApiLoadBalancer balancer = keep(ApiLoadBalancer.start("127.0.0.1", 0, List.of(a.address(), b.address()), flaky));
    Line toA = keep(Line.open(balancer.address()));
    assertThat(toA.ask("one")).isEqualTo("a:one");

    // When: the failed check and two good ones have run
    await().atMost(WAIT).until(() -> checks.get(a.address()).get() >= 4);

    // Then
    assertThat(toA.ask("two")).isEqualTo("a:two");
    assertThat(balancer.healthyBackends()).containsExactly(a.address(), b.address());
  }

  @Test
  void aCheckThatThrowsMarksItsBackendUnhealthyAndCheckingGoesOn() throws Exception {
    // Given
    NamedEcho a = keep(NamedEcho.start("a"));
    NamedEcho b = keep(NamedEcho.start("b"));
    AtomicInteger checksOfB = new AtomicInteger();
    HealthCheck throwing = backend -> {
      if (backend.equals(a.address())) {
        throw new IllegalStateException("broken check");
      }
      checksOfB.incrementAndGet();
      return true;
    };

    // When
    ApiLoadBalancer balancer = keep(ApiLoadBalancer.start("127.0.0.1", 0, List.of(a.address(), b.address()), throwing));

    // Then
    await().atMost(WAIT).until(() -> checksOfB.get() >= 3);
    assertThat(balancer.healthyBackends()).containsExactly(b.address());
    try (Line line = Line.open(balancer.address())) {
      assertThat(line.ask("hello")).isEqualTo("b:hello");
    }
  }

  @Test
  void onceClosedItsPortRefusesConnections() throws Exception {
    NamedEcho a = keep(NamedEcho.start("a"));
    // Many rounds: without waiting for its accepting thread, about half of them were still accepted.
    for (int round = 0; round < 200; round++) {
      ApiLoadBalancer balancer = ApiLoadBalancer.start("127.0.0.1", 0, List.of(a.address()), HealthCheck.tcpConnect());
      InetSocketAddress address = balancer.address();

      balancer.close();

      try (Socket socket = new Socket()) {
        assertThatThrownBy(() -> socket.connect(address, 1_000)).as("round %d", round).isInstanceOf(ConnectException.class);
      }
    }
  }

  private <T extends AutoCloseable> T keep(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** A server that answers each line with {@code <name>:<line>}. */
  private record NamedEcho(String name, ServerSocket listener) implements AutoCloseable {

    static NamedEcho start(String name) throws IOException {
      NamedEcho echo = new NamedEcho(name, new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
      Thread.ofVirtual().start(echo::acceptLoop);
      return echo;
    }

    InetSocketAddress address() {
      return new InetSocketAddress("127.0.0.1", listener.getLocalPort());
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try {
          Socket socket = listener.accept();
          Thread.ofVirtual().start(() -> answer(socket));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void answer(Socket socket) {
      try (socket; var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
          var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.println(name + ":" + line);
        }
      } catch (IOException e) {
        // the client went away
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }

  /** A client connection that sends a line and reads the answer. */
  private record Line(Socket socket, BufferedReader in, PrintWriter out) implements AutoCloseable {

    static final String CLOSED = "(closed)";

    static Line open(InetSocketAddress address) throws IOException {
      Socket socket = new Socket(address.getAddress(), address.getPort());
      return new Line(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)),
          new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8));
    }

    String ask(String line) throws IOException {
      out.println(line);
      String answer = in.readLine();
      return answer == null ? CLOSED : answer;
    }

    CompletableFuture<String> askLater(String line) {
      CompletableFuture<String> answer = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> {
        try {
          answer.complete(ask(line));
        } catch (IOException e) {
          answer.complete(CLOSED);
        }
      });
      return answer;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
