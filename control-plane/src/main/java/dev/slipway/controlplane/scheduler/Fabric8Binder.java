package dev.slipway.controlplane.scheduler;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link Binder} through the API: {@code POST pods/<name>/binding}, the status subresource and core/v1 Events;
 * the Events are written in the background ({@link EventWriter}), so a binding costs one API write.
 */
final class Fabric8Binder implements Binder {

    static final String COMPONENT = "default-scheduler";
    /** Event writes in flight at once. */
    static final int EVENTS_IN_FLIGHT = 32;

    private final KubernetesClient client;
    private final Clock clock;
    private final EventWriter events = new EventWriter(EVENTS_IN_FLIGHT);

    Fabric8Binder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    @Override
    public void bind(Pod pod, String node) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        var binding = new BindingBuilder().withNewMetadata().withName(name).withNamespace(namespace).withUid(pod.getMetadata().getUid())
                .endMetadata().withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget().build();
        String answer;
        try {
            answer = client.raw("/api/v1/namespaces/" + namespace + "/pods/" + name + "/binding", "POST", binding);
        } catch (KubernetesClientException e) {
            if (!boundTo(e, name, node)) {
                throw e;
            }
            // The client retried a POST whose first attempt went through (its answer was lost to a timeout): the pod is bound as decided.
            answer = "";
        }
        if (answer == null) {
            throw new IllegalStateException("pod " + namespace + "/" + name + " is gone; it was not bound to " + node);
        }
        record(pod, "Normal", "Scheduled", "Successfully assigned " + namespace + "/" + name + " to " + node);
    }

    /** Whether the API refused the binding because the pod is bound to this very node already (its words, as kube-apiserver's). */
    static boolean boundTo(KubernetesClientException refusal, String pod, String node) {
        return refusal.getCode() == 409 && refusal.getStatus() != null
                && String.valueOf(refusal.getStatus().getMessage()).endsWith(": pod " + pod + " is already assigned to node \"" + node + "\"");
    }

    @Override
    public void markUnschedulable(Pod pod, String message) {
        PodCondition current = conditions(pod).stream().filter(condition -> "PodScheduled".equals(condition.getType())).findFirst().orElse(null);
        if (current != null && "False".equals(current.getStatus()) && "Unschedulable".equals(current.getReason())
                && Objects.equals(message, current.getMessage())) {
            return; // already says so; a new event every retry would only be noise
        }
        List<PodCondition> next = new ArrayList<>(conditions(pod).stream().filter(condition -> !"PodScheduled".equals(condition.getType())).toList());
        next.add(new PodConditionBuilder().withType("PodScheduled").withStatus("False").withReason("Unschedulable").withMessage(message)
                .withLastTransitionTime(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()).build());
        Pod changed = new PodBuilder(pod).editOrNewStatus().withConditions(next).endStatus().build();
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(changed).updateStatus();
        record(pod, "Warning", "FailedScheduling", message);
    }

    private static List<PodCondition> conditions(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions();
    }

    /** Written in the background; a failure to record an event is logged, it never undoes what the scheduler did. */
    private void record(Pod pod, String type, String reason, String message) {
        String namespace = pod.getMetadata().getNamespace();
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder().withNewMetadata().withNamespace(namespace)
                .withName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod").withNamespace(namespace)
                        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build())
                .withType(type).withReason(reason).withMessage(message).withCount(1).withFirstTimestamp(now).withLastTimestamp(now)
                .withNewSource().withComponent(COMPONENT).endSource().withReportingComponent(COMPONENT).build();
        events.submit("event " + reason + " on pod " + namespace + "/" + pod.getMetadata().getName(),
                () -> client.v1().events().inNamespace(namespace).resource(event).create());
    }
}
