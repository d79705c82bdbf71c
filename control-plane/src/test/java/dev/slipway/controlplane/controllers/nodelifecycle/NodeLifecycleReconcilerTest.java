package dev.slipway.controlplane.controllers.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.testing.TestClock;
import dev.slipway.controlplane.controller.Result;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeLifecycleReconcilerTest {

    private static final Duration GRACE = Duration.ofSeconds(40);
    private static final Duration EVICTION = Duration.ofMinutes(5);
    private static final ObjectRef NODE = new ObjectRef("", "w1");

    private final Map<ObjectRef, Node> nodes = new ConcurrentHashMap<>();
    private final Map<ObjectRef, Lease> leases = new ConcurrentHashMap<>();
    private final Map<ObjectRef, Pod> pods = new ConcurrentHashMap<>();
    private final TestClock clock = new TestClock(Instant.parse("2025-06-01T10:00:00Z"));
    private final RecordingActions actions = new RecordingActions();
    private final NodeLifecycleReconciler reconciler = new NodeLifecycleReconciler(lister(nodes), lister(leases), lister(pods), actions,
            new NodeLifecycleController.Settings(GRACE, EVICTION), clock);

    /** Records each action and applies it to the in-memory objects, as the API server would. */
    final class RecordingActions implements LifecycleActions {
        final List<String> done = new ArrayList<>();

        @Override
        public void markReadyUnknown(Node node, Instant now) {
            done.add("ready-unknown");
            nodes.put(NODE, new NodeBuilder(node).editStatus().withConditions(new NodeConditionBuilder().withType("Ready")
                    .withStatus("Unknown").withReason("NodeStatusUnknown").build()).endStatus().build());
        }

        @Override
        public void addUnreachableTaint(Node node, Instant now) {
            done.add("taint");
            nodes.put(NODE, new NodeBuilder(node).editSpec().addToTaints(new TaintBuilder(NodeLifecycleReconciler.UNREACHABLE)
                    .withTimeAdded(now.toString()).build()).endSpec().build());
        }

        @Override
        public void removeUnreachableTaint(Node node) {
            done.add("untaint");
            nodes.put(NODE, new NodeBuilder(node).editSpec().withTaints(List.of()).endSpec().build());
        }

        @Override
        public void evict(Pod pod, String node) {
            done.add("evict " + pod.getMetadata().getName());
            pods.remove(ObjectRef.of(pod));
        }
    }

    private static <T extends HasMetadata> Lister<T> lister(Map<ObjectRef, T> objects) {
        return new Lister<>() {
            @Override
            public Optional<T> get(ObjectRef ref) {
                return Optional.ofNullable(objects.get(ref));
            }

            @Override
            public List<T> list(String namespace) {
                return List.copyOf(objects.values());
            }
        };
    }

    @BeforeEach
    void aReadyNodeWithALease() {
        nodes.put(NODE, new NodeBuilder().withNewMetadata().withName("w1").endMetadata().withNewSpec().endSpec().withNewStatus()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build());
        renewLease();
    }

    private void renewLease() {
        leases.put(new ObjectRef("kube-node-lease", "w1"), new LeaseBuilder().withNewMetadata().withName("w1").withNamespace("kube-node-lease")
                .endMetadata().withNewSpec().withHolderIdentity("w1")
                .withRenewTime(ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)).endSpec().build());
    }

    private Pod addPod(String name, String node, TolerationBuilder... tolerations) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name).endMetadata()
                .withNewSpec().withNodeName(node).withTolerations(Stream.of(tolerations).map(TolerationBuilder::build).toList()).endSpec().build();
        pods.put(ObjectRef.of(pod), pod);
        return pod;
    }

    private static TolerationBuilder unreachable() {
        return new TolerationBuilder().withKey("node.kubernetes.io/unreachable").withOperator("Exists").withEffect("NoExecute");
    }

    /** Reconciles until the controller has nothing to write right now, as the informer's events would make it. */
    private Result settle() {
        Result result;
        int before;
        do {
            before = actions.done.size();
            result = reconciler.reconcile(NODE);
        } while (actions.done.size() > before);
        return result;
    }

    private Node node() {
        return nodes.get(NODE);
    }

    @Test
    void aNodeThatRenewsItsLeaseIsLeftAloneAndCheckedAgainWhenItCouldGoStale() {
        settle();
        clock.advance(Duration.ofSeconds(30));
        renewLease();

        Result result = settle();

        assertThat(actions.done).isEmpty();
        assertThat(result).isEqualTo(Result.requeueAfter(GRACE));
    }

    @Test
    void aStaleLeaseTurnsTheNodeUnknownAndTaintsIt() {
        settle();
        clock.advance(GRACE);

        settle();

        assertThat(actions.done).containsExactly("ready-unknown", "taint");
        assertThat(NodeLifecycleReconciler.unreachableTaint(node())).map(Taint::getTimeAdded).contains(clock.instant().toString());
    }

    @Test
    void theLeaseIsJudgedByThisControllersClockNotByTheRenewTimeWritten() {
        leases.put(new ObjectRef("kube-node-lease", "w1"), new LeaseBuilder(leases.get(new ObjectRef("kube-node-lease", "w1")))
                .editSpec().withRenewTime(ZonedDateTime.parse("2020-01-01T00:00:00Z")).endSpec().build());

        settle();

        assertThat(actions.done).as("a kubelet clock years behind is no reason to call the node dead").isEmpty();
    }

    @Test
    void aNodeWithoutAnyLeaseGoesStaleAfterTheGracePeriod() {
        leases.clear();
        settle();
        clock.advance(GRACE);

        settle();

        assertThat(actions.done).containsExactly("ready-unknown", "taint");
    }

    @Test
    void podsAreEvictedOnlyAfterTheEvictionTimeout() {
        addPod("web", "w1");
        addPod("elsewhere", "w2");
        settle();
        clock.advance(GRACE);
        Result waiting = settle();
        assertThat(waiting).isEqualTo(Result.requeueAfter(EVICTION));

        clock.advance(EVICTION.minusSeconds(1));
        settle();
        assertThat(actions.done).doesNotContain("evict web");

        clock.advance(Duration.ofSeconds(1));
        settle();
        assertThat(actions.done).containsExactly("ready-unknown", "taint", "evict web");
    }

    @Test
    void aPodTolerantForAWhileLeavesAfterItsOwnTolerationSeconds() {
        addPod("patient", "w1", unreachable().withTolerationSeconds(30L));
        addPod("forever", "w1", unreachable());
        settle();
        clock.advance(GRACE);
        settle();

        clock.advance(Duration.ofSeconds(30));
        settle();
        clock.advance(EVICTION);
        settle();

        assertThat(actions.done).containsExactly("ready-unknown", "taint", "evict patient");
    }

    @Test
    void podsAlreadyBeingDeletedAreNotEvictedAgain() {
        Pod going = addPod("going", "w1");
        pods.put(ObjectRef.of(going), new PodBuilder(going).editMetadata().withDeletionTimestamp("2025-06-01T10:00:00Z").endMetadata().build());
        settle();
        clock.advance(GRACE.plus(EVICTION));

        settle();

        assertThat(actions.done).doesNotContain("evict going");
    }

    @Test
    void theHeartbeatComingBackRemovesTheTaint() {
        addPod("web", "w1");
        settle();
        clock.advance(GRACE);
        settle();

        clock.advance(Duration.ofSeconds(10));
        renewLease();
        settle();

        assertThat(actions.done).containsExactly("ready-unknown", "taint", "untaint");
        assertThat(NodeLifecycleReconciler.unreachableTaint(node())).isEmpty();
        clock.advance(EVICTION);
        settle();
        assertThat(actions.done).doesNotContain("evict web");
    }

    @Test
    void aDeletedNodeIsForgotten() {
        nodes.clear();

        assertThat(reconciler.reconcile(NODE)).isEqualTo(Result.DONE);
        assertThat(actions.done).isEmpty();
    }

    static Stream<Arguments> delays() {
        return Stream.of(
                Arguments.of("no toleration: the eviction timeout", List.of(), Optional.of(EVICTION)),
                Arguments.of("tolerated for 30 s", List.of(unreachable().withTolerationSeconds(30L)), Optional.of(Duration.ofSeconds(30))),
                Arguments.of("negative seconds: at once", List.of(unreachable().withTolerationSeconds(-5L)), Optional.of(Duration.ZERO)),
                Arguments.of("tolerated without limit", List.of(unreachable()), Optional.empty()),
                Arguments.of("tolerates everything", List.of(new TolerationBuilder().withOperator("Exists")), Optional.empty()),
                Arguments.of("tolerates only NoSchedule", List.of(unreachable().withEffect("NoSchedule")), Optional.of(EVICTION)),
                Arguments.of("tolerates another taint", List.of(new TolerationBuilder().withKey("node.kubernetes.io/not-ready")
                        .withOperator("Exists").withEffect("NoExecute")), Optional.of(EVICTION)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("delays")
    void evictionDelayFollowsTheTolerations(String name, List<TolerationBuilder> tolerations, Optional<Duration> expected) {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withTolerations(tolerations.stream().map(TolerationBuilder::build).toList()).endSpec().build();

        assertThat(NodeLifecycleReconciler.evictionDelay(pod, EVICTION)).isEqualTo(expected);
    }
}
