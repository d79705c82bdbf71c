package dev.slipway.agent.kubelet;

import static dev.slipway.agent.kubelet.PodExamples.NOW;
import static dev.slipway.agent.kubelet.PodExamples.exited;
import static dev.slipway.agent.kubelet.PodExamples.observed;
import static dev.slipway.agent.kubelet.PodExamples.pod;
import static dev.slipway.agent.kubelet.PodExamples.running;
import static dev.slipway.agent.kubelet.PodExamples.sandbox;
import static dev.slipway.agent.kubelet.PodExamples.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.agent.runtime.ContainerState;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodSyncTest {

  static Stream<Arguments> plans() {
    return Stream.of(
        // what the runtime holds, the pod's restart policy, unhealthy containers -> the plan
        Arguments.of("no sandbox yet", pod("Always"), ObservedPod.NOTHING, Set.of(), "sandbox#0"),
        Arguments.of("lost sandbox is made again as the next attempt", pod("Always"),
            new ObservedPod(Optional.of(sandbox(false, 2)), List.of(running("main", 0))), Set.of(), "sandbox#3"),
        Arguments.of("lost sandbox of a finished pod stays", pod("Never"),
            new ObservedPod(Optional.of(sandbox(false, 0)), List.of(exited("main", 0, 0, 5, 60))), Set.of(), ""),
        Arguments.of("container never started", pod("Always"), observed(), Set.of(), "start main#0"),
        Arguments.of("healthy running container", pod("Always"), observed(running("main", 0)), Set.of(), ""),
        Arguments.of("running container whose probe failed", pod("Always"), observed(running("main", 0)), Set.of("main-0"), "kill main"),
        Arguments.of("Always restarts a success once its back-off passed", pod("Always"), observed(exited("main", 0, 0, 5, 60)), Set.of(),
            "start main#1"),
        Arguments.of("a fresh failure waits out its 10 s back-off", pod("Always"), observed(exited("main", 0, 1, 5, 4)), Set.of(),
            " recheck+6s"),
        Arguments.of("the back-off doubles with each restart", pod("Always"), observed(exited("main", 2, 1, 5, 4)), Set.of(),
            " recheck+36s"),
        Arguments.of("a container that ran 10 min starts the ladder again", pod("Always"), observed(exited("main", 5, 1, 700, 11)), Set.of(),
            "start main#6"),
        Arguments.of("OnFailure leaves a success alone", pod("OnFailure"), observed(exited("main", 0, 0, 5, 60)), Set.of(), ""),
        Arguments.of("OnFailure restarts a failure", pod("OnFailure"), observed(exited("main", 0, 1, 5, 60)), Set.of(), "start main#1"),
        Arguments.of("Never leaves a failure alone", pod("Never"), observed(exited("main", 0, 1, 5, 60)), Set.of(), ""),
        Arguments.of("created but not started", pod("Always"), observed(status("main", 0, new ContainerState.Created())), Set.of(),
            "start main#1"),
        Arguments.of("unknown state is replaced", pod("Always"), observed(status("main", 1, new ContainerState.Unknown("gone"))), Set.of(),
            "start main#2"),
        Arguments.of("unknown state under Never stays", pod("Never"), observed(status("main", 1, new ContainerState.Unknown("gone"))), Set.of(),
            ""),
        Arguments.of("each container on its own", pod("Always", List.of(), List.of("a", "b")), observed(running("a", 0)), Set.of(),
            "start b#0"),
        Arguments.of("init container runs first, alone", pod("Always", List.of("init"), List.of("main")), observed(), Set.of(),
            "init init#0"),
        Arguments.of("running init container blocks the others", pod("Always", List.of("init"), List.of("main")), observed(running("init", 0)),
            Set.of(), ""),
        Arguments.of("init container whose probe failed is killed", pod("Always", List.of("init"), List.of("main")),
            observed(running("init", 0)), Set.of("init-0"), "kill init"),
        Arguments.of("succeeded init container lets the containers start", pod("Always", List.of("init"), List.of("main")),
            observed(exited("init", 0, 0, 5, 60)), Set.of(), "start main#0"),
        Arguments.of("failed init container is retried after its back-off", pod("Always", List.of("init"), List.of("main")),
            observed(exited("init", 0, 1, 5, 60)), Set.of(), "init init#1"),
        Arguments.of("failed init container waits out its back-off", pod("OnFailure", List.of("init"), List.of("main")),
            observed(exited("init", 0, 1, 5, 1)), Set.of(), " recheck+9s"),
        Arguments.of("failed init container under Never blocks the pod", pod("Never", List.of("init"), List.of("main")),
            observed(exited("init", 0, 1, 5, 60)), Set.of(), ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void planBringsTheRuntimeTowardsTheSpec(String situation, Pod pod, ObservedPod observed, Set<String> unhealthy, String expected) {
    PodSync.Plan plan = PodSync.plan(pod, observed, unhealthy, NOW);

    assertThat(describe(plan)).isEqualTo(expected);
  }

  @Test
  void recheckIsTheSoonestOfTheWaitingContainers() {
    Pod pod = pod("Always", List.of(), List.of("a", "b"));

    PodSync.Plan plan = PodSync.plan(pod, observed(exited("a", 0, 1, 5, 2), exited("b", 0, 1, 5, 7)), Set.of(), NOW);

    assertThat(plan.actions()).isEmpty();
    assertThat(plan.recheckAt()).contains(NOW.plusSeconds(3));
  }

  @Test
  void startCarriesTheContainerOfTheSpec() {
    Pod pod = pod("Always");

    PodSync.Plan plan = PodSync.plan(pod, observed(), Set.of(), NOW);

    assertThat(plan.actions()).containsExactly(new SyncAction.StartContainer(pod.getSpec().getContainers().getFirst(), false, 0));
  }

  @Test
  void missingRestartPolicyMeansAlways() {
    assertThat(PodSync.restartPolicy(pod(null))).isEqualTo("Always");
    assertThat(PodSync.restartPolicy(pod(""))).isEqualTo("Always");
  }

  private static String describe(PodSync.Plan plan) {
    String actions = plan.actions().stream().map(action -> switch (action) {
      case SyncAction.CreateSandbox c -> "sandbox#" + c.attempt();
      case SyncAction.StartContainer s -> (s.init() ? "init " : "start ") + s.container().getName() + "#" + s.attempt();
      case SyncAction.KillContainer k -> "kill " + k.name();
    }).collect(Collectors.joining(", "));
    return actions + plan.recheckAt().map(at -> " recheck+" + Duration.between(NOW, at).toSeconds() + "s").orElse("");
  }
}
