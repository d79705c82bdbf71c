package dev.slipway.controlplane.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodReferencesTest {

    @Test
    void everyPlaceAPodNamesAnObjectItNeedsIsFound() {
        PodReferences pod = PodReferences.read("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","uid":"u-1"},
                 "spec":{"nodeName":"n1","serviceAccountName":"web-sa","imagePullSecrets":[{"name":"pull"}],
                  "volumes":[{"name":"a","secret":{"secretName":"vol-secret"}},
                             {"name":"b","configMap":{"name":"vol-map"}},
                             {"name":"c","persistentVolumeClaim":{"claimName":"claim"}},
                             {"name":"d","projected":{"sources":[{"secret":{"name":"proj-secret"}},{"configMap":{"name":"proj-map"}},
                                                                 {"serviceAccountToken":{"path":"token"}}]}},
                             {"name":"e","emptyDir":{}}],
                  "initContainers":[{"name":"init","image":"i","envFrom":[{"secretRef":{"name":"init-secret"}}]}],
                  "containers":[{"name":"app","image":"a",
                    "envFrom":[{"configMapRef":{"name":"from-map"}}],
                    "env":[{"name":"P","valueFrom":{"secretKeyRef":{"name":"env-secret","key":"p"}}},
                           {"name":"C","valueFrom":{"configMapKeyRef":{"name":"env-map","key":"c"}}},
                           {"name":"F","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
                           {"name":"V","value":"plain"}]}]}}""".getBytes(UTF_8));

        assertThat(pod.namespace()).isEqualTo("shop");
        assertThat(pod.name()).isEqualTo("web");
        assertThat(pod.uid()).isEqualTo("u-1");
        assertThat(pod.boundTo("n1")).isTrue();
        assertThat(pod.boundTo("n2")).isFalse();
        assertThat(pod.references("secrets")).containsExactlyInAnyOrder("pull", "vol-secret", "proj-secret", "init-secret", "env-secret");
        assertThat(pod.references("configmaps")).containsExactlyInAnyOrder("vol-map", "proj-map", "from-map", "env-map");
        assertThat(pod.references("persistentvolumeclaims")).containsExactly("claim");
        assertThat(pod.references("serviceaccounts")).containsExactly("web-sa");
        assertThat(pod.references("nodes")).isEmpty();
    }

    @Test
    void anUnboundPodWithoutAServiceAccountUsesTheDefaultAccountAndIsBoundNowhere() {
        PodReferences pod = PodReferences.read("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""
                .getBytes(UTF_8));

        assertThat(pod.boundTo("")).isFalse();
        assertThat(pod.boundTo("n1")).isFalse();
        assertThat(pod.references("serviceaccounts")).containsExactly("default");
        assertThat(pod.references("secrets")).isEmpty();
        assertThat(pod.uid()).isEmpty();
    }
}
