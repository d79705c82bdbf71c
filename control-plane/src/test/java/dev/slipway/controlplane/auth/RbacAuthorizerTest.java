package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RbacAuthorizerTest {

    private static final RbacFixtures POLICY = new RbacFixtures()
            .grant("alice", "team-a", List.of("pods", "pods/log"), List.of("get", "list"))
            .bindClusterRole("team-b", "view", "Group", "auditors", "")
            .bindClusterRole("team-b", "edit", "ServiceAccount", "deployer", "")
            .bindClusterRole("team-c", "admin", "ServiceAccount", "deployer", "team-b");

    private final Authorizer authorizer = new UnionAuthorizer(List.of(new RbacAuthorizer(POLICY)));

    private static UserInfo user(String spec) {
        // "name" or "name|group1;group2"
        String[] parts = spec.split("\\|");
        return UserInfo.of(parts[0], parts.length > 1 ? List.of(parts[1].split(";")) : List.of());
    }

    @ParameterizedTest(name = "{0} {1} {2}/{3} {4} in \"{5}\" named \"{6}\" -> {7}")
    @CsvSource(delimiter = ',', nullValues = "-", textBlock = """
            # user,                                 verb,   group,               resource,                    sub,    namespace, name,     allowed
            admin|system:masters,                   delete, apps,                deployments,                 -,      team-a,    web,      true
            admin|system:masters,                   create, '',                  nodes,                       -,      -,         n1,       true
            alice,                                  get,    '',                  pods,                        -,      team-a,    web,      true
            alice,                                  list,   '',                  pods,                        -,      team-a,    -,        true
            alice,                                  get,    '',                  pods,                        log,    team-a,    web,      true
            alice,                                  delete, '',                  pods,                        -,      team-a,    web,      false
            alice,                                  get,    '',                  pods,                        -,      team-b,    web,      false
            alice,                                  list,   '',                  pods,                        -,      -,         -,        false
            alice,                                  update, '',                  pods,                        status, team-a,    web,      false
            alice,                                  get,    '',                  secrets,                     -,      team-a,    s,        false
            alice,                                  get,    apps,                pods,                        -,      team-a,    web,      false
            bob|auditors,                           list,   apps,                deployments,                 -,      team-b,    -,        true
            bob|auditors,                           get,    '',                  configmaps,                  -,      team-b,    c,        true
            bob|auditors,                           get,    '',                  secrets,                     -,      team-b,    s,        false
            bob|auditors,                           create, '',                  configmaps,                  -,      team-b,    -,        false
            bob|auditors,                           get,    '',                  configmaps,                  -,      team-a,    c,        false
            system:serviceaccount:team-b:deployer,  create, apps,                deployments,                 -,      team-b,    -,        true
            system:serviceaccount:team-b:deployer,  update, apps,                deployments,                 scale,  team-b,    web,      true
            system:serviceaccount:team-b:deployer,  create, rbac.authorization.k8s.io, rolebindings,          -,      team-b,    -,        false
            system:serviceaccount:team-b:deployer,  create, rbac.authorization.k8s.io, rolebindings,          -,      team-c,    -,        true
            system:serviceaccount:team-a:deployer,  create, apps,                deployments,                 -,      team-b,    -,        false
            system:bootstrap:abcdef|system:bootstrappers, create, certificates.k8s.io, certificatesigningrequests, -, -,       -,        true
            system:bootstrap:abcdef|system:bootstrappers, get,    certificates.k8s.io, certificatesigningrequests, -, -,       c1,       true
            system:bootstrap:abcdef|system:bootstrappers, update, certificates.k8s.io, certificatesigningrequests, approval, -, c1,     false
            system:bootstrap:abcdef|system:bootstrappers, list,   '',                  pods,                        -, -,       -,        false
            system:kube-scheduler,                  create, '',                  pods,                        binding, team-a,   web,      true
            system:kube-scheduler,                  delete, '',                  secrets,                     -,      team-a,    s,        false
            system:kube-controller-manager,         create, '',                  pods,                        -,      team-a,    -,        true
            system:kube-controller-manager,         update, certificates.k8s.io, certificatesigningrequests,  approval, -,       c1,       true
            system:kube-controller-manager,         create, rbac.authorization.k8s.io, clusterrolebindings,   -,      -,         -,        false
            """)
    void decidesResourceRequestsFromRolesAndBindings(String user, String verb, String group, String resource, String sub,
                                                     String namespace, String name, boolean allowed) {
        var request = RequestAttributes.resource(user(user), verb, group, "v1", resource, sub, namespace, name);

        Decision decision = authorizer.authorize(request);

        assertThat(decision.allowed()).as(decision.toString()).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(textBlock = """
            carol,                    get,  /version,        true
            carol,                    get,  /healthz,        true
            carol,                    get,  /apis/apps/v1,   true
            carol,                    get,  /metrics,        false
            carol,                    post, /api,            false
            admin|system:masters,     get,  /metrics,        true
            """)
    void decidesNonResourcePaths(String user, String verb, String path, boolean allowed) {
        Decision decision = authorizer.authorize(RequestAttributes.nonResource(user(user), verb, path));

        assertThat(decision.allowed()).isEqualTo(allowed);
    }

    @Test
    void aRuleThatNamesObjectsDoesNotCoverListOrOtherNames() {
        var policy = new RbacFixtures();
        policy.roles.add(new io.fabric8.kubernetes.api.model.rbac.RoleBuilder()
                .withNewMetadata().withName("one-map").withNamespace("ns").endMetadata()
                .addNewRule().withApiGroups("").withResources("configmaps").withResourceNames("settings").withVerbs("get", "list").endRule()
                .build());
        policy.roleBindings.add(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                .withNewMetadata().withName("one-map").withNamespace("ns").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "one-map")
                .addNewSubject().withKind("User").withName("dave").endSubject().build());
        var rbac = new RbacAuthorizer(policy);
        UserInfo dave = UserInfo.of("dave", List.of());

        assertThat(rbac.authorize(RequestAttributes.resource(dave, "get", "", "v1", "configmaps", "", "ns", "settings")).allowed()).isTrue();
        assertThat(rbac.authorize(RequestAttributes.resource(dave, "get", "", "v1", "configmaps", "", "ns", "other")).allowed()).isFalse();
        assertThat(rbac.authorize(RequestAttributes.resource(dave, "list", "", "v1", "configmaps", "", "ns", "")).allowed()).isFalse();
    }

    @Test
    void aRoleBindingCannotReachARoleInAnotherNamespace() {
        var policy = new RbacFixtures().grant("erin", "ns-1", List.of("pods"), List.of("get"));
        // a binding in ns-2 naming the Role that lives in ns-1
        policy.roleBindings.add(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                .withNewMetadata().withName("borrow").withNamespace("ns-2").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "erin-pods")
                .addNewSubject().withKind("User").withName("erin").endSubject().build());

        Decision decision = new RbacAuthorizer(policy)
                .authorize(RequestAttributes.resource(UserInfo.of("erin", List.of()), "get", "", "v1", "pods", "", "ns-2", "p"));

        assertThat(decision).isEqualTo(Decision.noOpinion());
    }

    @Test
    void aRequestNoAuthorizerAllowsIsDeniedWithoutAReasonOfItsOwn() {
        var request = RequestAttributes.resource(UserInfo.of("alice", List.of()), "delete", "", "v1", "pods", "", "team-a", "web");

        Decision decision = authorizer.authorize(request);

        assertThat(decision).isEqualTo(Decision.deny(""));
    }

    @Test
    void theFirstAuthorizerWithAnOpinionDecides() {
        var request = RequestAttributes.resource(UserInfo.of("alice", List.of()), "get", "", "v1", "pods", "", "team-a", "web");
        Authorizer vetoing = attributes -> Decision.deny("frozen namespace");

        assertThat(new UnionAuthorizer(List.of(vetoing, new RbacAuthorizer(POLICY))).authorize(request))
                .isEqualTo(Decision.deny("frozen namespace"));
        assertThat(new UnionAuthorizer(List.of(attributes -> Decision.noOpinion(), new RbacAuthorizer(POLICY))).authorize(request))
                .isEqualTo(Decision.allow());
    }
}
