package dev.slipway.provisioner.phase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.InventoryReader;
import dev.slipway.provisioner.inventory.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PhaseRunnerTest {
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  final StringWriter text = new StringWriter();
  final Inventory inventory = InventoryReader.read(
      Path.of("src/test/resources/dev/slipway/provisioner/inventory/good/local-three-masters.yaml")).inventory();

  ClusterContext context(boolean dryRun) {
    HostConnector noConnections = host -> {
      throw new AssertionError("no phase here connects");
    };
    return new ClusterContext(inventory, Path.of("/nonexistent"), new TextProgress(new PrintWriter(text), false),
        noConnections, dryRun);
  }

  Phase recording(String title) {
    return new Phase() {
      @Override
      public String title() {
        return title;
      }

      @Override
      public void run(ClusterContext context) {
        log.add(title);
      }
    };
  }

  /** Works on every host but dies on master-2, half-way through the hosts. */
  final class DiesOnMaster2 extends PerHostPhase<String> {
    final AtomicInteger attempts = new AtomicInteger();

    @Override
    public String title() {
      return "Install things";
    }

    @Override
    protected String runOn(Host host, ClusterContext context) {
      attempts.incrementAndGet();
      if (host.name().equals("master-2")) {
        throw new IllegalStateException("disk full");
      }
      log.add("installed on " + host.name());
      return host.name();
    }

    @Override
    protected void succeeded(ClusterContext context, Map<Host, String> results) {
      log.add("all installed");
    }
  }

  @Test
  void phasesRunInOrder() {
    // When
    var result = new PhaseRunner().run(List.of(recording("one"), recording("two"), recording("three")), context(false));

    // Then
    assertThat(log).containsExactly("one", "two", "three");
    assertThat(result).isInstanceOf(RunResult.Completed.class);
    assertThat(result.completed()).containsExactly("one", "two", "three");
    assertThat(text.toString()).contains("[1/3] one", "[2/3] two", "[3/3] three", "All 3 phases done");
  }

  @Test
  void aPhaseThatDiesHalfWayStopsTheRunAndIsReported() {
    // Given
    var dies = new DiesOnMaster2();

    // When
    var result = new PhaseRunner().run(List.of(recording("before"), dies, recording("after")), context(false));

    // Then: every host was tried, the failure is named, nothing after it ran
    assertThat(dies.attempts).hasValue(3);
    assertThat(log).containsExactlyInAnyOrder("before", "installed on master-1", "installed on master-3");
    var stopped = (RunResult.Stopped) result;
    assertThat(stopped.phase()).isEqualTo("Install things");
    assertThat(stopped.completed()).containsExactly("before");
    assertThat(stopped.notRun()).containsExactly("after");
    assertThat(((PhaseFailed) stopped.error()).hostFailures())
        .containsExactly(new PhaseFailed.HostFailure("master-2", "disk full"));
    assertThat(text.toString())
        .containsPattern("master-2 +FAILED +\\d+\\.\\ds  disk full")
        .containsPattern("master-1 +ok +\\d+\\.\\ds")
        .contains("Stopped at phase \"Install things\"", "failed on 1 of 3 hosts: master-2", "  master-2: disk full",
            "Not run: after.");
  }

  @Test
  void aPhaseWithNothingToDoIsSkippedAfterPreparing() {
    // Given
    class NothingToDo implements Phase, Prepares, MayBeSkipped {
      @Override
      public String title() {
        return "Maybe";
      }

      @Override
      public void prepare(ClusterContext context) {
        log.add("prepared");
      }

      @Override
      public boolean shouldRun(ClusterContext context) {
        return false;
      }

      @Override
      public void run(ClusterContext context) {
        log.add("ran");
      }
    }

    // When
    var result = new PhaseRunner().run(List.of(new NothingToDo(), recording("next")), context(false));

    // Then
    assertThat(log).containsExactly("prepared", "next");
    assertThat(result.succeeded()).isTrue();
    assertThat(text.toString()).contains("[1/2] Maybe: nothing to do");
  }

  @Test
  void aDryRunAsksPhasesThatChangeHostsWhatTheyWouldDo() {
    // Given
    class Changes implements Phase, SupportsDryRun {
      @Override
      public String title() {
        return "Change";
      }

      @Override
      public void run(ClusterContext context) {
        log.add("changed");
      }

      @Override
      public void dryRun(ClusterContext context) {
        log.add("would change");
      }
    }

    // When
    new PhaseRunner().run(List.of(recording("read only"), new Changes()), context(true));

    // Then
    assertThat(log).containsExactly("read only", "would change");
  }

  @Test
  void aPerHostPhaseCanNarrowItsHosts() {
    // Given
    class OnlyEtcd extends PerHostPhase<Void> {
      @Override
      public String title() {
        return "etcd";
      }

      @Override
      protected List<Host> hosts(ClusterContext context) {
        return context.inventory().hostsWith(Role.ETCD).subList(0, 1);
      }

      @Override
      protected Void runOn(Host host, ClusterContext context) {
        log.add(host.name());
        return null;
      }
    }

    // When
    new PhaseRunner().run(List.of(new OnlyEtcd()), context(false));

    // Then
    assertThat(log).containsExactly("master-1");
  }

  @Test
  void jsonProgressWritesOneObjectPerLine() {
    // Given
    var json = new StringWriter();
    var ctx = new ClusterContext(inventory, Path.of("/nonexistent"), new JsonProgress(new PrintWriter(json)),
        h -> {
          throw new AssertionError();
        }, false);

    // When
    new PhaseRunner().run(List.of(new DiesOnMaster2()), ctx);

    // Then
    assertThat(json.toString().lines()).allMatch(l -> l.startsWith("{\"event\":\""))
        .anyMatch(l -> l.contains("\"event\":\"host-failed\"") && l.contains("\"host\":\"master-2\"")
            && l.contains("\"error\":\"disk full\""))
        .last().asString().contains("\"event\":\"run-stopped\"");
  }

  @Test
  void theContextKeepsOneConnectionPerHostAndClosesThemAll() {
    // Given
    var opened = new AtomicInteger();
    var closed = new AtomicInteger();
    HostConnector connector = host -> {
      opened.incrementAndGet();
      return new RecordingTransport(host.name(), closed);
    };
    var host = inventory.hosts().getFirst();
    assertThat(host.access()).isInstanceOf(HostAccess.Local.class);

    // When
    try (var ctx = new ClusterContext(inventory, Path.of("/x"), new TextProgress(new PrintWriter(text), false), connector, false)) {
      ctx.connection(host);
      ctx.connection(host);
    }

    // Then
    assertThat(opened).hasValue(1);
    assertThat(closed).hasValue(1);
  }
}
