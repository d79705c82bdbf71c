package dev.slipway.agent.apilb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** How the load balancer decides that an API server can take connections. */
@FunctionalInterface
public interface HealthCheck {

  Duration TIMEOUT = Duration.ofSeconds(2);

  boolean healthy(InetSocketAddress backend);

  /** The port accepts a TCP connection. */
  static HealthCheck tcpConnect() {
    return backend -> {
      try (Socket socket = new Socket()) {
        socket.connect(backend, (int) TIMEOUT.toMillis());
        return true;
      } catch (IOException e) {
        return false;
      }
    };
  }

  /** {@code GET /readyz} over TLS answers 200; {@code tls} trusts the cluster CA (and checks the master's name). */
  static HealthCheck readyz(SSLContext tls) {
    HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
    return backend -> {
      String host = backend.getAddress() == null ? backend.getHostString() : backend.getAddress().getHostAddress();
      URI url = URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + backend.getPort() + "/readyz");
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    };
  }
}
