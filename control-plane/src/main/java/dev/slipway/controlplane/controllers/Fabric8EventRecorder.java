package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events; a failure to record is logged, never fails the reconcile that acted. */
final class Fabric8EventRecorder implements EventRecorder {

    private static final Logger log = LoggerFactory.getLogger(Fabric8EventRecorder.class);

    private final KubernetesClient client;
    private final String component;
    private final Clock clock;

    Fabric8EventRecorder(KubernetesClient client, String component, Clock clock) {
        this.client = client;
        this.component = component;
        this.clock = clock;
    }

    @Override
    public void normal(HasMetadata involved, String reason, String message) {
        record(involved, "Normal", reason, message);
    }

    @Override
    public void warning(HasMetadata involved, String reason, String message) {
        record(involved, "Warning", reason, message);
    }

    private void record(HasMetadata involved, String type, String reason, String message) {
        String namespace = involved.getMetadata().getNamespace() == null ? "default" : involved.getMetadata().getNamespace();
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder().withNewMetadata().withNamespace(namespace)
                .withName(involved.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(involved.getApiVersion()).withKind(involved.getKind())
                        .withNamespace(involved.getMetadata().getNamespace()).withName(involved.getMetadata().getName())
                        .withUid(involved.getMetadata().getUid()).withResourceVersion(involved.getMetadata().getResourceVersion()).build())
                .withType(type).withReason(reason).withMessage(message).withCount(1)
                .withFirstTimestamp(now).withLastTimestamp(now).withNewSource().withComponent(component).endSource()
                .withReportingComponent(component).build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (RuntimeException e) {
            log.warn("could not record event {} on {} {}/{}: {}", reason, involved.getKind(), namespace,
                    involved.getMetadata().getName(), e.toString());
        }
    }
}
