package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SystemMastersAuthorizerTest {

    /** The masters authorizer in front of RBAC whose default policy lost every cluster role binding, cluster-admin's too. */
    private final Authorizer authorizer = new UnionAuthorizer(List.of(new SystemMastersAuthorizer(), new RbacAuthorizer(withoutBindings())));

    private static RbacFixtures withoutBindings() {
        RbacFixtures policy = new RbacFixtures();
        policy.clusterRoleBindings.clear();
        return policy;
    }

    @Test
    void aMemberOfSystemMastersMayDoAnythingWithoutABinding() {
        UserInfo admin = UserInfo.of("kubernetes-admin", List.of(UserInfo.MASTERS));

        assertThat(authorizer.authorize(RequestAttributes.resource(admin, "delete", "", "v1", "nodes", "", "", "n1")).allowed()).isTrue();
        assertThat(authorizer.authorize(RequestAttributes.resource(admin, "create", "rbac.authorization.k8s.io", "v1",
                "clusterrolebindings", "", "", "")).allowed()).isTrue();
        assertThat(authorizer.authorize(RequestAttributes.nonResource(admin, "get", "/metrics")).allowed()).isTrue();
    }

    @Test
    void anyoneElseIsLeftToTheNextAuthorizer() {
        UserInfo namedLikeTheGroup = UserInfo.of(UserInfo.MASTERS, List.of("developers"));
        var request = RequestAttributes.resource(namedLikeTheGroup, "get", "", "v1", "pods", "", "default", "web");

        assertThat(new SystemMastersAuthorizer().authorize(request)).isInstanceOf(Decision.NoOpinion.class);
        assertThat(authorizer.authorize(request).allowed()).isFalse();
    }
}
