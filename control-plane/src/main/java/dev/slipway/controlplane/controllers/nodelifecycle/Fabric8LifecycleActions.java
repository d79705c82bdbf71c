package dev.slipway.controlplane.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link LifecycleActions} through the API; updates carry the node's resourceVersion, so a stale read conflicts and is retried. */
final class Fabric8LifecycleActions implements LifecycleActions {

    private static final Logger log = LoggerFactory.getLogger(Fabric8LifecycleActions.class);
    private static final String COMPONENT = "node-controller";

    private final KubernetesClient client;
    private final Clock clock;

    Fabric8LifecycleActions(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    public void markReadyUnknown(Node node, Instant now) {
        List<NodeCondition> conditions = new ArrayList<>(node.getStatus() == null || node.getStatus().getConditions() == null
                ? List.of() : node.getStatus().getConditions());
        conditions.removeIf(condition -> "Ready".equals(condition.getType()));
        conditions.add(new NodeConditionBuilder().withType("Ready").withStatus("Unknown").withReason("NodeStatusUnknown")
                .withMessage("Kubelet stopped posting node status.").withLastTransitionTime(stamp(now)).build());
        Node changed = new NodeBuilder(node).editOrNewStatus().withConditions(conditions).endStatus().build();
        client.nodes().resource(changed).updateStatus();
        log.info("node {} stopped renewing its lease; Ready is now Unknown", name(node));
        record(node, "Normal", "NodeNotReady", "Node " + name(node) + " status is now: NodeNotReady");
    }

    @Override
    public void addUnreachableTaint(Node node, Instant now) {
        Taint taint = new TaintBuilder(NodeLifecycleReconciler.UNREACHABLE).withTimeAdded(stamp(now)).build();
        Node changed = new NodeBuilder(node).editOrNewSpec().addToTaints(taint).endSpec().build();
        client.nodes().resource(changed).update();
    }

    @Override
    public void removeUnreachableTaint(Node node) {
        List<Taint> kept = node.getSpec().getTaints().stream()
                .filter(taint -> !(NodeLifecycleReconciler.UNREACHABLE.getKey().equals(taint.getKey())
                        && NodeLifecycleReconciler.UNREACHABLE.getEffect().equals(taint.getEffect()))).toList();
        Node changed = new NodeBuilder(node).editSpec().withTaints(kept).endSpec().build();
        client.nodes().resource(changed).update();
        log.info("node {} renews its lease again; removed the unreachable taint", name(node));
        record(node, "Normal", "NodeReachable", "Node " + name(node) + " renews its lease again");
    }

    @Override
    public void evict(Pod pod, String node) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        var options = new DeleteOptionsBuilder().withApiVersion("v1").withKind("DeleteOptions").withNewPreconditions()
                .withUid(pod.getMetadata().getUid()).endPreconditions().build();
        // A uid precondition: a stale cache must never delete a newer pod of the same name (a StatefulSet's replacement).
        client.raw("/api/v1/namespaces/" + namespace + "/pods/" + name, "DELETE", options);
        log.info("evicted pod {}/{} from unreachable node {}", namespace, name, node);
        record(pod, "Normal", "TaintManagerEviction", "Marking for deletion Pod " + namespace + "/" + name);
    }

    private String stamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String name(HasMetadata object) {
        return object.getMetadata().getName();
    }

    /** A failure to record is logged; it never fails what was done. */
    private void record(HasMetadata involved, String type, String reason, String message) {
        String namespace = involved.getMetadata().getNamespace() == null ? "default" : involved.getMetadata().getNamespace();
        String now = stamp(clock.instant());
        var event = new EventBuilder().withNewMetadata().withNamespace(namespace)
                .withName(name(involved) + "." + Long.toHexString(System.nanoTime())).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(involved.getApiVersion()).withKind(involved.getKind())
                        .withNamespace(involved.getMetadata().getNamespace()).withName(name(involved)).withUid(involved.getMetadata().getUid())
                        .build())
                .withType(type).withReason(reason).withMessage(message).withCount(1).withFirstTimestamp(now).withLastTimestamp(now)
                .withNewSource().withComponent(COMPONENT).endSource().withReportingComponent(COMPONENT).build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (RuntimeException e) {
            log.warn("could not record event {} on {} {}: {}", reason, involved.getKind(), name(involved), e.toString());
        }
    }
}
