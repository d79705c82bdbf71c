package dev.slipway.agent.kubelet;

import dev.slipway.agent.runtime.ContainerRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;

/** What every pod worker shares. */
interface KubeletContext {
  KubernetesClient client();

  ContainerRuntime runtime();

  Prober prober();

  PodLogs logs();

  ContainerEnvironment.Objects objects();

  String hostIp();

  Clock clock();

  /** The worker has finished with its pod. */
  void forget(String uid);
}
