package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.cluster.ClusterPki;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.Phase;
import dev.slipway.provisioner.phase.PhaseFailed;
import dev.slipway.provisioner.phase.TextProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded waits of up when no API server answers: they fail in time, naming each host and why, and write nothing. */
class ApiWaitsTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private UpRun run;

  @BeforeEach
  void pkiForThreeMastersWhereNothingListens() throws Exception {
    var inventory = TestInventories.masters(dir, "demo", "m1:127.0.95.21", "m2:127.0.95.22", "m3:127.0.95.23");
    run = new UpRun(inventory, ClusterDirectory.open(dir.resolve("cluster")), ClusterPki.catalogue(inventory), new NodeBundle(dir, dir, dir, dir));
    runPhase(new EnsurePki(run));
  }

  private void runPhase(Phase phase) throws Exception {
    try (var context = new ClusterContext(run.inventory(), run.dir().root(), new TextProgress(new PrintWriter(out), false),
        host -> { throw new AssertionError("no host is contacted"); }, false)) {
      phase.run(context);
    }
  }

  @Test
  void apiServersThatDoNotAnswerFailTheWaitNamingEachMasterAndNoKubeconfigIsWritten() {
    assertThatThrownBy(() -> runPhase(new WaitForApiServers(run, Duration.ofSeconds(1))))
        .isInstanceOf(PhaseFailed.class)
        .hasMessageContaining("API servers not ready after 1s")
        .hasMessageContaining("m1 (").hasMessageContaining("m2 (")
        .hasMessageContaining("ConnectException");
    assertThat(run.dir().adminKubeconfig()).doesNotExist();
  }

  @Test
  void nodesThatCannotBeListedFailTheWaitNamingEachHost() {
    assertThatThrownBy(() -> runPhase(new WaitForNodes(run, Duration.ofSeconds(1))))
        .isInstanceOf(PhaseFailed.class)
        .hasMessageContaining("nodes not Ready after 1s")
        .hasMessageContaining("m1 (unknown)").hasMessageContaining("m2 (unknown)").hasMessageContaining("did not answer");
  }

  @Test
  void theBootstrapTokenCannotBeWrittenWithoutAnApiAndTheErrorNamesTheSecretAndServer() {
    assertThatThrownBy(() -> runPhase(new CreateBootstrapToken(run, java.time.Clock.systemUTC())))
        .isInstanceOf(PhaseFailed.class)
        .hasMessageContaining("cannot write the bootstrap token Secret kube-system/bootstrap-token-")
        .hasMessageContaining("https://127.0.95.21:6443");
  }
}
