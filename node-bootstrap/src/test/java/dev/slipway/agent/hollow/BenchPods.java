package dev.slipway.agent.hollow;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/** The pods the hollow benchmark creates: one container with small requests, so 5000 fit on 1000 hollow nodes many times over. */
final class BenchPods {

  static final String IMAGE = "registry.k8s.io/pause:3.10";

  private BenchPods() {}

  static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "hollow-bench").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(0L)
        .addNewContainer().withName("main").withImage(IMAGE)
        .withNewResources().withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi"))).endResources()
        .endContainer().endSpec().build();
  }
}
