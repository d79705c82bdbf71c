package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BindingIndexTest {

    private static Subject subject(String kind, String name, String namespace) {
        return new SubjectBuilder().withKind(kind).withName(name).withNamespace(namespace).build();
    }

    private static ClusterRoleBinding clusterBinding(String name, Subject... subjects) {
        return new ClusterRoleBindingBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view").withSubjects(subjects).build();
    }

    private static RoleBinding roleBinding(String namespace, String name, Subject... subjects) {
        return new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view").withSubjects(subjects).build();
    }

    private static List<String> names(java.util.Collection<? extends io.fabric8.kubernetes.api.model.HasMetadata> bindings) {
        return bindings.stream().map(binding -> binding.getMetadata().getName()).toList();
    }

    private static final BindingIndex INDEX = BindingIndex.of(
            List.of(clusterBinding("for-alice", subject("User", "alice", null)),
                    clusterBinding("for-ops", subject("Group", "ops", null)),
                    clusterBinding("for-sa", subject("ServiceAccount", "deployer", "ci")),
                    clusterBinding("for-nobody", (Subject[]) new Subject[0])),
            List.of(roleBinding("team-a", "alice-in-a", subject("User", "alice", null)),
                    roleBinding("team-a", "local-sa", subject("ServiceAccount", "builder", null)),
                    roleBinding("team-a", "remote-sa", subject("ServiceAccount", "deployer", "ci")),
                    roleBinding("team-b", "alice-in-b", subject("User", "alice", null))));

    @ParameterizedTest(name = "{0} with groups [{1}] -> cluster bindings [{2}]")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            alice                           | -        | for-alice
            bob                             | ops      | for-ops
            alice                           | ops      | for-alice,for-ops
            system:serviceaccount:ci:deployer | -      | for-sa
            system:serviceaccount:cd:deployer | -      | -
            deployer                        | -        | -
            ops                             | -        | -
            """)
    void findsTheClusterRoleBindingsThatNameTheUserItsGroupsOrItsServiceAccount(String user, String groups, String expected) {
        UserInfo info = UserInfo.of(user, groups == null ? List.of() : List.of(groups.split(",")));

        List<String> found = names(INDEX.clusterRoleBindingsNaming(info));

        assertThat(found).containsExactlyInAnyOrderElementsOf(expected == null ? List.of() : List.of(expected.split(",")));
    }

    @ParameterizedTest(name = "{0} in {1} -> role bindings [{2}]")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            alice                                | team-a | alice-in-a
            alice                                | team-b | alice-in-b
            alice                                | team-c | -
            system:serviceaccount:team-a:builder | team-a | local-sa
            system:serviceaccount:team-b:builder | team-a | -
            system:serviceaccount:ci:deployer    | team-a | remote-sa
            """)
    void findsOnlyTheRoleBindingsOfTheRequestsNamespace(String user, String namespace, String expected) {
        List<String> found = names(INDEX.roleBindingsNaming(namespace, UserInfo.of(user, List.of())));

        assertThat(found).containsExactlyInAnyOrderElementsOf(expected == null ? List.of() : List.of(expected.split(",")));
    }

    @Test
    void aBindingThatNamesTheUserTwiceIsFoundOnce() {
        BindingIndex index = BindingIndex.of(List.of(clusterBinding("twice", subject("User", "alice", null), subject("Group", "ops", null))),
                List.of());

        assertThat(names(index.clusterRoleBindingsNaming(UserInfo.of("alice", List.of("ops"))))).containsExactly("twice");
    }

    @Test
    void subjectsWithoutANameOrOfAnUnknownKindBindNobody() {
        BindingIndex index = BindingIndex.of(List.of(clusterBinding("odd", subject("User", null, null), subject("Robot", "alice", null))),
                List.of(roleBinding("team-a", "odd", subject("Group", null, null))));

        assertThat(index.clusterRoleBindingsNaming(UserInfo.of("alice", List.of()))).isEmpty();
        assertThat(index.roleBindingsNaming("team-a", UserInfo.of("alice", List.of()))).isEmpty();
    }
}
