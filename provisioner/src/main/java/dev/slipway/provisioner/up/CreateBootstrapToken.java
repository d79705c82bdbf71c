package dev.slipway.provisioner.up;

import dev.slipway.agent.join.ApiClients;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.MayBeSkipped;
import dev.slipway.provisioner.phase.Phase;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import dev.slipway.provisioner.phase.PhaseFailed;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts the cluster's bootstrap token into the API as Kubernetes' Secret
 * {@code kube-system/bootstrap-token-<id>} (type {@code bootstrap.kubernetes.io/token}), valid for a
 * day from this run: nodes that have not joined yet authenticate with it and ask for their client
 * certificate by CSR. Each run renews the expiry; an expired token joins nothing.
 */
final class CreateBootstrapToken implements Phase, MayBeSkipped {
  static final String NAMESPACE = "kube-system";
  static final String TYPE = "bootstrap.kubernetes.io/token";
  static final Duration VALIDITY = Duration.ofHours(24);
  private final UpRun run;
  private final Clock clock;

  CreateBootstrapToken(UpRun run, Clock clock) {
    this.run = run;
    this.clock = clock;
  }

  @Override
  public String title() {
    return "Create the bootstrap token the nodes join with";
  }

  @Override
  public boolean shouldRun(ClusterContext context) {
    return !context.inventory().hostsWith(Role.MASTER).isEmpty() && context.inventory().hosts().stream().anyMatch(NodeSections::runsKubelet);
  }

  @Override
  public void run(ClusterContext context) {
    var token = ClusterSecrets.bootstrapToken(run.dir());
    var secret = secret(token, clock);
    var server = NodeSections.apiServerUrl(context.inventory().hostsWith(Role.MASTER).getFirst());
    try (var client = AdminAccess.of(context.inventory().name(), run.dir(), run.catalogue()).client(server)) {
      client.secrets().inNamespace(NAMESPACE).resource(secret).createOr(existing -> existing.update());
    } catch (KubernetesClientException e) {
      throw new PhaseFailed("cannot write the bootstrap token Secret " + NAMESPACE + "/bootstrap-token-" + token.id() + " through " + server
          + ": " + ApiClients.describe(e));
    }
    context.progress().note("bootstrap token " + token.id() + " valid until " + secret.getStringData().get("expiration"));
  }

  /** The Secret exactly as Kubernetes' bootstrap-token authenticator reads it. */
  static Secret secret(ClusterSecrets.BootstrapToken token, Clock clock) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("token-id", token.id());
    data.put("token-secret", token.secret());
    data.put("expiration", DateTimeFormatter.ISO_INSTANT.format(clock.instant().plus(VALIDITY).truncatedTo(ChronoUnit.SECONDS)));
    data.put("usage-bootstrap-authentication", "true");
    data.put("usage-bootstrap-signing", "true");
    data.put("auth-extra-groups", "system:bootstrappers:slipway:default-node-token");
    data.put("description", "made by slipway up; renewed by each run");
    return new SecretBuilder().withNewMetadata().withNamespace(NAMESPACE).withName("bootstrap-token-" + token.id()).endMetadata()
        .withType(TYPE).withStringData(data).build();
  }
}
