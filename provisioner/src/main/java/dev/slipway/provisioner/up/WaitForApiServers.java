package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.MayBeSkipped;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Waits, bounded, until every master's API server answers {@code /readyz} with 200 over HTTPS
 * (cluster CA, admin client certificate), then writes {@code admin.kubeconfig} (0600) into the
 * cluster directory, pointing at the first master.
 */
final class WaitForApiServers implements Phase, MayBeSkipped {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private final UpRun run;
  private final Duration timeout;

  WaitForApiServers(UpRun run, Duration timeout) {
    this.run = run;
    this.timeout = timeout;
  }

  @Override
  public String title() {
    return "Wait for the API servers (/readyz) and write admin.kubeconfig";
  }

  @Override
  public boolean shouldRun(ClusterContext context) {
    return !context.inventory().hostsWith(Role.MASTER).isEmpty();
  }

  @Override
  public void run(ClusterContext context) throws InterruptedException {
    var masters = context.inventory().hostsWith(Role.MASTER);
    var access = AdminAccess.of(context.inventory().name(), run.dir(), run.catalogue());
    var http = HttpClient.newBuilder().sslContext(access.sslContext()).connectTimeout(PROBE_TIMEOUT).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
    try (http) {
      while (true) {
        var notReady = new LinkedHashMap<String, String>();
        for (Host master : masters) {
          probe(http, NodeSections.apiServerUrl(master).resolve("/readyz")).ifPresent(why -> notReady.put(master.name(), why));
        }
        if (notReady.isEmpty()) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new PhaseFailed("API servers not ready after " + timeout.toSeconds() + "s: " + describe(notReady)
              + ". See /var/log/slipway/agent.log on those hosts.");
        }
        if (System.nanoTime() > nextReport) {
          context.progress().note("waiting for API servers: " + (masters.size() - notReady.size()) + " of " + masters.size()
              + " ready; not yet " + String.join(", ", notReady.keySet()));
          nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
        }
        Thread.sleep(500);
      }
    }
    var server = NodeSections.apiServerUrl(masters.getFirst());
    access.kubeconfig(server).write(run.dir().adminKubeconfig());
    context.progress().note("API servers: " + masters.size() + " of " + masters.size() + " ready; wrote " + run.dir().adminKubeconfig()
        + " (server " + server + ")");
  }

  /** Empty when ready; else why not. */
  private static Optional<String> probe(HttpClient http, URI readyz) throws InterruptedException {
    try {
      var response = http.send(HttpRequest.newBuilder(readyz).timeout(PROBE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.empty()
          : Optional.of("HTTP " + response.statusCode() + " " + response.body().strip());
    } catch (IOException e) {
      return Optional.of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private static String describe(Map<String, String> notReady) {
    return notReady.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining("; "));
  }
}
