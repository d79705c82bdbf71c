package dev.slipway.controlplane.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.controller.ObjectRef;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentReconcilerTest {

    private static final ObjectRef WEB = new ObjectRef("default", "web");
    private static final int MAX_STEPS = 60;

    private final FakeCluster cluster = new FakeCluster();
    private final DeploymentReconciler reconciler = new DeploymentReconciler(cluster.lister(Deployment.class),
            cluster.lister(ReplicaSet.class), cluster, cluster, cluster.clock);
    /** Each ReplicaSet's spec.replicas at the previous step: pods added since are not available yet. */
    private final Map<String, Integer> previousSpec = new HashMap<>();

    /** A stand-in for the ReplicaSet controller and kubelets: pods appear at once and become available one step later. */
    private void runPods() {
        for (ReplicaSet rs : cluster.all(ReplicaSet.class)) {
            int spec = rs.getSpec().getReplicas();
            int available = Math.min(spec, previousSpec.getOrDefault(rs.getMetadata().getName(), 0));
            previousSpec.put(rs.getMetadata().getName(), spec);
            rs.setStatus(new ReplicaSetStatusBuilder().withReplicas(spec).withReadyReplicas(available).withAvailableReplicas(available)
                    .withObservedGeneration(1L).build());
            cluster.change(rs);
        }
    }

    private int availableAfterScaleDown() {
        return cluster.all(ReplicaSet.class).stream().mapToInt(rs -> Math.min(rs.getSpec().getReplicas(),
                rs.getStatus() == null ? 0 : rs.getStatus().getAvailableReplicas())).sum();
    }

    private int specTotal() {
        return cluster.all(ReplicaSet.class).stream().mapToInt(rs -> rs.getSpec().getReplicas()).sum();
    }

    private boolean rolledOut(String image) {
        List<ReplicaSet> all = cluster.all(ReplicaSet.class);
        Deployment deployment = cluster.get(Deployment.class, "web");
        int desired = deployment.getSpec().getReplicas();
        boolean hasNew = all.stream().anyMatch(rs -> rs.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage().equals(image));
        return hasNew && all.stream().allMatch(rs -> rs.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage().equals(image)
                ? rs.getSpec().getReplicas() == desired && rs.getStatus() != null && rs.getStatus().getAvailableReplicas() == desired
                : rs.getSpec().getReplicas() == 0);
    }

    private void changeImage(String image) {
        Deployment deployment = cluster.get(Deployment.class, "web");
        deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().setImage(image);
        deployment.getMetadata().setGeneration(deployment.getMetadata().getGeneration() + 1);
        cluster.change(deployment);
    }

    private void rollOut(String image) {
        for (int step = 0; step < MAX_STEPS && !rolledOut(image); step++) {
            reconciler.reconcile(WEB);
            runPods();
        }
        reconciler.reconcile(WEB);
        assertThat(rolledOut(image)).as("rolled out " + image + " within " + MAX_STEPS + " steps: " + cluster.actions() + cluster.all(ReplicaSet.class).stream().map(rs -> rs.getSpec().getReplicas() + "/" + rs.getStatus() + "/" + rs.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).toList()).isTrue();
    }

    @ParameterizedTest(name = "{0} replicas, maxSurge {1}, maxUnavailable {2}")
    @CsvSource({"10, 25%, 25%, 3, 2", "10, 0, 1, 0, 1", "10, 3, 0, 3, 0", "3, 1, 0, 1, 0", "1, 0, 1, 0, 1", "5, 30%, 30%, 2, 1",
            "4, 1, 1, 1, 1", "2, 100%, 0, 2, 0"})
    void aRollingUpdateStaysWithinMaxSurgeAndMaxUnavailableAtEveryStep(int replicas, String maxSurge, String maxUnavailable,
                                                                        int surgeAllowed, int unavailableAllowed) {
        cluster.seed(TestObjects.deployment("web", replicas, intOrPercent(maxSurge), intOrPercent(maxUnavailable)));
        rollOut("nginx:1");
        changeImage("nginx:2");

        for (int step = 0; step < MAX_STEPS && !rolledOut("nginx:2"); step++) {
            reconciler.reconcile(WEB);

            assertThat(specTotal()).as("pods at step " + step).isLessThanOrEqualTo(replicas + surgeAllowed);
            assertThat(availableAfterScaleDown()).as("available pods at step " + step).isGreaterThanOrEqualTo(replicas - unavailableAllowed);
            runPods();
        }

        assertThat(rolledOut("nginx:2")).isTrue();
    }

    private static Object intOrPercent(String value) {
        return value.endsWith("%") ? value : Integer.valueOf(value);
    }

    @Test
    void aFinishedRolloutReportsCompleteStatusAndConditions() {
        cluster.seed(TestObjects.deployment("web", 3, "25%", "25%"));

        rollOut("nginx:1");

        Deployment deployment = cluster.get(Deployment.class, "web");
        var status = deployment.getStatus();
        assertThat(status.getObservedGeneration()).isEqualTo(deployment.getMetadata().getGeneration());
        assertThat(List.of(status.getReplicas(), status.getUpdatedReplicas(), status.getAvailableReplicas())).containsOnly(3);
        assertThat(status.getConditions()).extracting(DeploymentCondition::getType, DeploymentCondition::getStatus, DeploymentCondition::getReason)
                .contains(org.assertj.core.groups.Tuple.tuple("Available", "True", "MinimumReplicasAvailable"),
                        org.assertj.core.groups.Tuple.tuple("Progressing", "True", "NewReplicaSetAvailable"));
        assertThat(deployment.getMetadata().getAnnotations()).containsEntry(DeploymentReconciler.REVISION, "1");
    }

    @Test
    void theNewReplicaSetIsNamedAndSelectedByTheTemplateHash() {
        cluster.seed(TestObjects.deployment("web", 2, "25%", "25%"));

        reconciler.reconcile(WEB);

        ReplicaSet rs = cluster.all(ReplicaSet.class).getFirst();
        String hash = rs.getMetadata().getLabels().get(TemplateHash.POD_TEMPLATE_HASH);
        assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
        assertThat(rs.getSpec().getSelector().getMatchLabels()).containsEntry(TemplateHash.POD_TEMPLATE_HASH, hash).containsEntry("app", "web");
        assertThat(rs.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(TemplateHash.POD_TEMPLATE_HASH, hash);
        assertThat(cluster.events()).contains("ScalingReplicaSet: Scaled up replica set web-" + hash + " from 0 to 2");
    }

    @Test
    void goingBackToAnOldTemplateReusesItsReplicaSetUnderANewRevision() {
        cluster.seed(TestObjects.deployment("web", 2, "25%", "25%"));
        rollOut("nginx:1");
        String first = cluster.all(ReplicaSet.class).getFirst().getMetadata().getName();
        changeImage("nginx:2");
        rollOut("nginx:2");

        changeImage("nginx:1");
        rollOut("nginx:1");

        assertThat(cluster.all(ReplicaSet.class)).hasSize(2);
        ReplicaSet reused = cluster.get(ReplicaSet.class, first);
        assertThat(reused.getMetadata().getAnnotations()).containsEntry(DeploymentReconciler.REVISION, "3");
        assertThat(cluster.get(Deployment.class, "web").getMetadata().getAnnotations()).containsEntry(DeploymentReconciler.REVISION, "3");
    }

    @Test
    void oldReplicaSetsBeyondTheHistoryLimitAreDeleted() {
        Deployment deployment = TestObjects.deployment("web", 1, 1, 0);
        deployment.getSpec().setRevisionHistoryLimit(1);
        cluster.seed(deployment);
        for (String image : List.of("nginx:1", "nginx:2", "nginx:3", "nginx:4")) {
            if (!image.equals("nginx:1")) {
                changeImage(image);
            }
            rollOut(image);
        }

        assertThat(cluster.all(ReplicaSet.class)).extracting(rs -> rs.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
                .containsExactlyInAnyOrder("nginx:3", "nginx:4");
    }

    @Test
    void aPausedDeploymentScalesButDoesNotRollOut() {
        cluster.seed(TestObjects.deployment("web", 2, "25%", "25%"));
        rollOut("nginx:1");
        Deployment paused = cluster.get(Deployment.class, "web");
        paused.getSpec().setPaused(true);
        paused.getSpec().setReplicas(4);
        paused.getSpec().getTemplate().getSpec().getContainers().getFirst().setImage("nginx:2");
        cluster.change(paused);

        reconciler.reconcile(WEB);

        assertThat(cluster.all(ReplicaSet.class)).singleElement().satisfies(rs -> assertThat(rs.getSpec().getReplicas()).isEqualTo(4));
        assertThat(cluster.get(Deployment.class, "web").getStatus().getConditions())
                .anySatisfy(condition -> assertThat(condition.getReason()).isEqualTo("DeploymentPaused"));
    }

    @Test
    void recreateRemovesEveryOldPodBeforeStartingNewOnes() {
        Deployment deployment = TestObjects.deployment("web", 3, "25%", "25%");
        deployment.getSpec().getStrategy().setType("Recreate");
        deployment.getSpec().getStrategy().setRollingUpdate(null);
        cluster.seed(deployment);
        rollOut("nginx:1");
        changeImage("nginx:2");

        for (int step = 0; step < MAX_STEPS && !rolledOut("nginx:2"); step++) {
            reconciler.reconcile(WEB);
            List<ReplicaSet> all = cluster.all(ReplicaSet.class);
            boolean oldRunning = all.stream().anyMatch(rs -> rs.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()
                    .equals("nginx:1") && rs.getStatus().getReplicas() > 0);
            boolean newWanted = all.stream().anyMatch(rs -> rs.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()
                    .equals("nginx:2") && rs.getSpec().getReplicas() > 0);
            assertThat(oldRunning && newWanted).as("old and new pods at once at step " + step).isFalse();
            runPods();
        }
        assertThat(rolledOut("nginx:2")).isTrue();
    }

    @ParameterizedTest(name = "maxSurge {0}, maxUnavailable {1} of {2}")
    @CsvSource({"25%, 25%, 10, 3, 2", "25%, 25%, 1, 1, 0", "0, 0, 5, 0, 1", "50%, 0, 3, 2, 0", "0%, 10%, 5, 0, 1", "5, 5, 3, 5, 3"})
    void rollingBudgetRoundsSurgeUpAndUnavailableDown(String surge, String unavailable, int replicas, int maxSurge, int maxUnavailable) {
        RollingBudget budget = RollingBudget.resolve(new io.fabric8.kubernetes.api.model.IntOrString(intOrPercent(surge)),
                new io.fabric8.kubernetes.api.model.IntOrString(intOrPercent(unavailable)), replicas);

        assertThat(budget).isEqualTo(new RollingBudget(maxSurge, maxUnavailable));
    }
}
