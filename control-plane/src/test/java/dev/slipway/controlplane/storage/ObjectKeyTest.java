package dev.slipway.controlplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeyTest {

    @ParameterizedTest
    @ValueSource(strings = {"web", "web-1", "a", "9lives", "system:node:worker-1", "kube-root-ca.crt", "user@example.com", "x_y", "Web"})
    void aNameOfLettersDigitsAndSeparatorsMakesAKey(String name) {
        ObjectKey key = new ObjectKey("configmaps", "default", name);

        assertThat(key.path()).isEqualTo("/registry/configmaps/default/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-web", ".hidden", "a/b", "../secrets", "a b", "ä", "a\u0000b", "tab\t"})
    void aNameThatCouldLeaveItsPlaceIsRefused(String name) {
        assertThatThrownBy(() -> new ObjectKey("configmaps", "default", name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid name");
    }

    @Test
    void aNameOf253CharactersIsTheLongestAccepted() {
        assertThat(new ObjectKey("configmaps", "default", "a".repeat(253)).name()).hasSize(253);
        assertThatThrownBy(() -> new ObjectKey("configmaps", "default", "a".repeat(254))).hasMessageContaining("invalid name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "-ns", "team a"})
    void aNamespaceThatCouldLeaveItsPlaceIsRefused(String namespace) {
        assertThatThrownBy(() -> new ObjectKey("pods", namespace, "web")).hasMessageContaining("invalid namespace");
    }

    @Test
    void anEmptyNamespaceMakesAClusterScopedKey() {
        assertThat(new ObjectKey("nodes", "", "n1").path()).isEqualTo("/registry/nodes/n1");
    }
}
