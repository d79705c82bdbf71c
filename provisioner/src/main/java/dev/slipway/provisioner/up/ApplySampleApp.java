package dev.slipway.provisioner.up;

import dev.slipway.agent.join.ApiClients;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code up --sample-app}: applies {@code templates/sample-app.yaml} (a two-replica Deployment and a
 * Service) through the API and waits, bounded, until the Deployment has every replica available.
 */
final class ApplySampleApp implements Phase {
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private final UpRun run;
  private final Path manifest;
  private final Duration timeout;

  ApplySampleApp(UpRun run, Path manifest, Duration timeout) {
    this.run = run;
    this.manifest = manifest;
    this.timeout = timeout;
  }

  static Path standardManifest() {
    return Path.of(System.getProperty("slipway.home", ".")).toAbsolutePath().normalize().resolve("templates/sample-app.yaml");
  }

  @Override
  public String title() {
    return "Deploy the sample app (" + manifest.getFileName() + ")";
  }

  @Override
  public void run(ClusterContext context) throws IOException, InterruptedException {
    if (!Files.isRegularFile(manifest)) {
      throw new PhaseFailed("no sample app manifest at " + manifest);
    }
    var masters = context.inventory().hostsWith(Role.MASTER);
    if (masters.isEmpty()) {
      throw new PhaseFailed("the sample app needs a master; " + context.inventory().file() + " has none");
    }
    try (var client = AdminAccess.of(context.inventory().name(), run.dir(), run.catalogue()).client(NodeSections.apiServerUrl(masters.getFirst()));
         var in = Files.newInputStream(manifest)) {
      List<HasMetadata> objects = client.load(in).items();
      for (var object : objects) {
        client.resource(object).createOr(existing -> existing.update());
        context.progress().note("applied " + object.getKind() + " " + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName());
      }
      for (var object : objects) {
        if (object instanceof Deployment deployment) {
          awaitAvailable(client, deployment, context);
        }
      }
    } catch (KubernetesClientException e) {
      throw new PhaseFailed("cannot apply " + manifest + ": " + ApiClients.describe(e));
    }
  }

  private void awaitAvailable(KubernetesClient client, Deployment deployment, ClusterContext context) throws InterruptedException {
    var namespace = deployment.getMetadata().getNamespace();
    var name = deployment.getMetadata().getName();
    int wanted = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
    while (true) {
      var live = client.apps().deployments().inNamespace(namespace).withName(name).get();
      int available = live == null || live.getStatus() == null || live.getStatus().getAvailableReplicas() == null ? 0
          : live.getStatus().getAvailableReplicas();
      if (available >= wanted) {
        context.progress().note("deployment " + namespace + "/" + name + ": " + available + " of " + wanted + " replicas available");
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new PhaseFailed("deployment " + namespace + "/" + name + " has " + available + " of " + wanted
            + " replicas available after " + timeout.toSeconds() + "s; see `kubectl -n " + namespace + " describe deployment " + name + "`");
      }
      if (System.nanoTime() > nextReport) {
        context.progress().note("waiting for deployment " + namespace + "/" + name + ": " + available + " of " + wanted + " available");
        nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
      }
      Thread.sleep(1000);
    }
  }
}
