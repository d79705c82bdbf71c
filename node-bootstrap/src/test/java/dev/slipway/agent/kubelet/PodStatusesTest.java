package dev.slipway.agent.kubelet;

import static dev.slipway.agent.kubelet.PodExamples.NOW;
import static dev.slipway.agent.kubelet.PodExamples.exited;
import static dev.slipway.agent.kubelet.PodExamples.observed;
import static dev.slipway.agent.kubelet.PodExamples.pod;
import static dev.slipway.agent.kubelet.PodExamples.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodStatusesTest {

  private static final String HOST_IP = "192.168.50.11";
  private static final PodStatuses.ProbeView ALL_WELL = probes(true);

  @Test
  void runningContainerMakesARunningReadyPodWithTheSandboxAddress() {
    PodStatus status = PodStatuses.compute(pod("Always"), observed(running("main", 0)), ALL_WELL, HOST_IP, NOW);

    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getPodIP()).isEqualTo("10.244.1.5");
    assertThat(status.getPodIPs()).extracting(io.fabric8.kubernetes.api.model.PodIP::getIp).containsExactly("10.244.1.5");
    assertThat(status.getHostIP()).isEqualTo(HOST_IP);
    assertThat(condition(status, "Ready")).isEqualTo("True");
    assertThat(condition(status, "ContainersReady")).isEqualTo("True");
    ContainerStatus main = status.getContainerStatuses().getFirst();
    assertThat(main.getReady()).isTrue();
    assertThat(main.getContainerID()).endsWith("://main-0");
    assertThat(main.getState().getRunning()).isNotNull();
  }

  @Test
  void podWithoutSandboxIsPendingWithoutAddress() {
    PodStatus status = PodStatuses.compute(pod("Always"), ObservedPod.NOTHING, ALL_WELL, HOST_IP, NOW);

    assertThat(status.getPhase()).isEqualTo("Pending");
    assertThat(status.getPodIP()).isNull();
    assertThat(condition(status, "PodReadyToStartContainers")).isEqualTo("False");
    assertThat(condition(status, "Ready")).isEqualTo("False");
    assertThat(status.getContainerStatuses().getFirst().getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
  }

  @Test
  void containerFailingItsReadinessProbeMakesThePodNotReady() {
    PodStatus status = PodStatuses.compute(pod("Always"), observed(running("main", 0)), probes(false), HOST_IP, NOW);

    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getContainerStatuses().getFirst().getReady()).isFalse();
    assertThat(condition(status, "Ready")).isEqualTo("False");
  }

  @Test
  void containerWaitingOutItsBackOffIsInCrashLoopBackOffWithItsLastExit() {
    PodStatus status = PodStatuses.compute(pod("Always"), observed(exited("main", 2, 1, 5, 3)), ALL_WELL, HOST_IP, NOW);

    ContainerStatus main = status.getContainerStatuses().getFirst();
    assertThat(main.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(main.getState().getWaiting().getMessage()).contains("back-off 40s");
    assertThat(main.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(main.getRestartCount()).isEqualTo(2);
    assertThat(status.getPhase()).isEqualTo("Running");
  }

  @Test
  void restartedContainerShowsThePreviousAttemptAsItsLastState() {
    PodStatus status = PodStatuses.compute(pod("Always"), observed(exited("main", 0, 137, 5, 30), running("main", 1)), ALL_WELL, HOST_IP, NOW);

    ContainerStatus main = status.getContainerStatuses().getFirst();
    assertThat(main.getRestartCount()).isEqualTo(1);
    assertThat(main.getState().getRunning()).isNotNull();
    assertThat(main.getLastState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(main.getLastState().getTerminated().getReason()).isEqualTo("Error");
  }

  @ParameterizedTest(name = "{0} with exit {1} -> {2}")
  @CsvSource({
      "Never, 0, Succeeded",
      "Never, 1, Failed",
      "OnFailure, 0, Succeeded",
      "OnFailure, 1, Running",
      "Always, 0, Running",
      "Always, 1, Running"})
  void phaseOfAnExitedPodFollowsItsRestartPolicy(String policy, int exitCode, String phase) {
    PodStatus status = PodStatuses.compute(pod(policy), observed(exited("main", 0, exitCode, 5, 600)), ALL_WELL, HOST_IP, NOW);

    assertThat(status.getPhase()).isEqualTo(phase);
  }

  @Test
  void podWithAnUnfinishedInitContainerIsPendingAndNotInitialized() {
    Pod pod = pod("Always", List.of("init"), List.of("main"));

    PodStatus status = PodStatuses.compute(pod, observed(running("init", 0)), ALL_WELL, HOST_IP, NOW);

    assertThat(status.getPhase()).isEqualTo("Pending");
    assertThat(condition(status, "Initialized")).isEqualTo("False");
    assertThat(status.getContainerStatuses().getFirst().getState().getWaiting().getReason()).isEqualTo("PodInitializing");
    assertThat(status.getInitContainerStatuses().getFirst().getState().getRunning()).isNotNull();
  }

  @Test
  void failedInitContainerUnderNeverFailsThePod() {
    Pod pod = pod("Never", List.of("init"), List.of("main"));

    PodStatus status = PodStatuses.compute(pod, observed(exited("init", 0, 2, 5, 60)), ALL_WELL, HOST_IP, NOW);

    assertThat(status.getPhase()).isEqualTo("Failed");
  }

  @Test
  void unchangedConditionKeepsItsTransitionTimeSoAnUnchangedPodComputesAnEqualStatus() {
    Pod pod = pod("Always");
    ObservedPod observed = observed(running("main", 0));
    pod.setStatus(PodStatuses.compute(pod, observed, ALL_WELL, HOST_IP, NOW));

    PodStatus later = PodStatuses.compute(pod, observed, ALL_WELL, HOST_IP, NOW.plusSeconds(90));

    assertThat(later).isEqualTo(pod.getStatus());
  }

  @Test
  void changedConditionTakesTheNewTransitionTime() {
    Pod pod = pod("Always");
    pod.setStatus(PodStatuses.compute(pod, observed(running("main", 0)), probes(false), HOST_IP, NOW));

    PodStatus later = PodStatuses.compute(pod, observed(running("main", 0)), ALL_WELL, HOST_IP, NOW.plusSeconds(90));

    assertThat(transition(later, "Ready")).isEqualTo(PodStatuses.stamp(NOW.plusSeconds(90)));
    assertThat(transition(later, "PodScheduled")).isEqualTo(PodStatuses.stamp(NOW));
  }

  private static PodStatuses.ProbeView probes(boolean ready) {
    return new PodStatuses.ProbeView() {
      @Override
      public boolean ready(String containerId) {
        return ready;
      }

      @Override
      public boolean started(String containerId) {
        return true;
      }
    };
  }

  private static String condition(PodStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).map(PodCondition::getStatus).findFirst().orElseThrow();
  }

  private static String transition(PodStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).map(PodCondition::getLastTransitionTime).findFirst()
        .orElseThrow();
  }
}
