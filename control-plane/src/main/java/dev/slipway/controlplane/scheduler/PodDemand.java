package dev.slipway.controlplane.scheduler;

import dev.slipway.controlplane.controller.ObjectRef;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pod asks of a node, read once from its spec: resource requests, host ports, the owner it
 * is spread with, node selector, required node affinity and tolerations.
 */
public record PodDemand(ObjectRef ref, String uid, Resources requests, List<HostPort> hostPorts, String owner,
                        Map<String, String> nodeSelector, List<NodeSelectorTerm> requiredTerms, List<Toleration> tolerations) {

    public PodDemand {
        hostPorts = List.copyOf(hostPorts);
        nodeSelector = Map.copyOf(nodeSelector);
        requiredTerms = List.copyOf(requiredTerms);
        tolerations = List.copyOf(tolerations);
    }

    public static PodDemand of(Pod pod) {
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        Resources containers = Resources.NONE;
        List<HostPort> ports = new ArrayList<>();
        for (Container container : listOf(spec.getContainers())) {
            containers = containers.plus(requestsOf(container));
            for (ContainerPort port : listOf(container.getPorts())) {
                if (port.getHostPort() != null && port.getHostPort() > 0) {
                    ports.add(new HostPort(port.getProtocol(), port.getHostIP(), port.getHostPort()));
                }
            }
        }
        // Init containers run one at a time before the others, so the pod needs the largest of them.
        Resources init = Resources.NONE;
        for (Container container : listOf(spec.getInitContainers())) {
            init = init.max(requestsOf(container));
        }
        Resources requests = containers.max(init).plus(Resources.of(spec.getOverhead())).plus(new Resources(0, 0, 1));
        List<NodeSelectorTerm> terms = List.of();
        if (spec.getAffinity() != null && spec.getAffinity().getNodeAffinity() != null
                && spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
            terms = listOf(spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms());
        }
        String uid = pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
        return new PodDemand(ObjectRef.of(pod), uid, requests, ports, ownerOf(pod),
                spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector(), terms, listOf(spec.getTolerations()));
    }

    /** A container's requests; a resource with only a limit requests its limit, as the API server defaults it. */
    private static Resources requestsOf(Container container) {
        ResourceRequirements resources = container.getResources();
        if (resources == null) {
            return Resources.NONE;
        }
        Map<String, Quantity> effective = new HashMap<>();
        if (resources.getLimits() != null) {
            effective.putAll(resources.getLimits());
        }
        if (resources.getRequests() != null) {
            effective.putAll(resources.getRequests());
        }
        effective.remove("pods");
        return Resources.of(effective);
    }

    private static String ownerOf(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return "";
        }
        return owners.stream().filter(owner -> Boolean.TRUE.equals(owner.getController())).map(OwnerReference::getUid)
                .filter(uid -> uid != null).findFirst().orElse("");
    }

    private static <T> List<T> listOf(List<T> list) {
        return list == null ? List.of() : list.stream().filter(item -> item != null).toList();
    }
}
