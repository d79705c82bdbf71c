package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerRuntime;
import dev.slipway.agent.runtime.ExecResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Runs one probe once, as the kubelet does: exec (exit code 0), httpGet (a status from 200 to
 * 399) or tcpSocket (the port accepts a connection), each within the probe's timeout.
 */
public final class Prober {

  /** The outcome of one probe run; {@code detail} says why it failed. */
  public record Outcome(boolean success, String detail) {
    static Outcome ok() {
      return new Outcome(true, "");
    }

    static Outcome failed(String detail) {
      return new Outcome(false, detail);
    }
  }

  private final ContainerRuntime runtime;
  private final HttpClient http;

  public Prober(ContainerRuntime runtime) {
    this.runtime = runtime;
    this.http = HttpClient.newBuilder().sslContext(trustingEveryone()).followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** @param podIp the address probes reach when the probe names no host */
  public Outcome run(Probe probe, Container container, String containerId, String podIp) {
    Duration timeout = Duration.ofSeconds(positive(probe.getTimeoutSeconds(), 1));
    if (probe.getExec() != null) {
      List<String> command = probe.getExec().getCommand() == null ? List.of() : probe.getExec().getCommand();
      try {
        ExecResult result = runtime.execSync(containerId, command, timeout);
        return result.succeeded() ? Outcome.ok()
            : Outcome.failed("command " + command + " exited with " + result.exitCode() + ": " + result.stdoutText().strip() + result.stderrText().strip());
      } catch (RuntimeException e) {
        return Outcome.failed("command " + command + " could not run: " + e.getMessage());
      }
    }
    if (probe.getHttpGet() != null) {
      var get = probe.getHttpGet();
      String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
      String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase();
      String path = get.getPath() == null || get.getPath().isEmpty() ? "/" : (get.getPath().startsWith("/") ? get.getPath() : "/" + get.getPath());
      int port;
      try {
        port = port(get.getPort(), container);
      } catch (IllegalArgumentException e) {
        return Outcome.failed(e.getMessage());
      }
      URI url = URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path);
      HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).header("User-Agent", "kube-probe/1.32");
      for (HTTPHeader header : get.getHttpHeaders() == null ? List.<HTTPHeader>of() : get.getHttpHeaders()) {
        request.header(header.getName(), header.getValue());
      }
      try {
        HttpResponse<Void> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.discarding());
        return response.statusCode() >= 200 && response.statusCode() < 400 ? Outcome.ok()
            : Outcome.failed("HTTP probe failed with statuscode: " + response.statusCode());
      } catch (IOException e) {
        return Outcome.failed("Get \"" + url + "\": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Outcome.failed("interrupted");
      }
    }
    if (probe.getTcpSocket() != null) {
      var tcp = probe.getTcpSocket();
      String host = tcp.getHost() == null || tcp.getHost().isEmpty() ? podIp : tcp.getHost();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port(tcp.getPort(), container)), (int) timeout.toMillis());
        return Outcome.ok();
      } catch (IOException | IllegalArgumentException e) {
        return Outcome.failed("dial tcp " + host + ": " + e.getMessage());
      }
    }
    return Outcome.failed("the probe names no action (exec, httpGet or tcpSocket)");
  }

  /** A port as a number, or as the name of one of the container's ports. */
  static int port(IntOrString port, Container container) {
    if (port == null) {
      throw new IllegalArgumentException("the probe names no port");
    }
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    String name = port.getStrVal();
    for (ContainerPort declared : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
      if (name.equals(declared.getName())) {
        return declared.getContainerPort();
      }
    }
    if (name.matches("[0-9]+")) {
      return Integer.parseInt(name);
    }
    throw new IllegalArgumentException("container " + container.getName() + " has no port named " + name);
  }

  static int positive(Integer value, int fallback) {
    return value == null || value <= 0 ? fallback : value;
  }

  // Kubernetes does not verify the certificates of HTTPS probes; probes check liveness, not identity.
  private static SSLContext trustingEveryone() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
