package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.controlplane.storage.ObjectKey;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BootstrapTokenAuthenticatorTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private final Map<ObjectKey, Secret> secrets = new HashMap<>();
    private final Authenticator authenticator =
            new BootstrapTokenAuthenticator(key -> Optional.ofNullable(secrets.get(key)), Clock.fixed(NOW, ZoneOffset.UTC));

    static Secret tokenSecret(String id, String secret, Map<String, String> overrides) {
        var data = new HashMap<>(Map.of("token-id", id, "token-secret", secret,
                "usage-bootstrap-authentication", "true", "expiration", "2030-01-02T00:00:00Z"));
        data.putAll(overrides);
        data.values().removeIf(String::isEmpty);
        var encoded = new HashMap<String, String>();
        data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName("bootstrap-token-" + id).withNamespace("kube-system").endMetadata()
                .withType("bootstrap.kubernetes.io/token").withData(encoded).build();
    }

    private void store(Secret secret) {
        secrets.put(new ObjectKey("secrets", "kube-system", secret.getMetadata().getName()), secret);
    }

    @Test
    void aValidTokenNamesTheBootstrapUserWithItsGroups() {
        store(tokenSecret("abcdef", "0123456789abcdef", Map.of("auth-extra-groups", "system:bootstrappers:workers")));

        Optional<UserInfo> user = authenticator.authenticate(Credentials.bearer("abcdef.0123456789abcdef"));

        assertThat(user).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("system:bootstrap:abcdef");
            assertThat(u.groups()).containsExactly("system:bootstrappers", "system:bootstrappers:workers", "system:authenticated");
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"expired", "wrong-secret", "not-for-authentication", "unknown-id", "bad-extra-group", "wrong-type",
            "unreadable-expiry", "malformed"})
    void aTokenThatDoesNotCheckOutIsNotAuthenticated(String problem) {
        String token = "abcdef.0123456789abcdef";
        Secret secret = switch (problem) {
            case "expired" -> tokenSecret("abcdef", "0123456789abcdef", Map.of("expiration", "2029-12-31T23:59:59Z"));
            case "not-for-authentication" -> tokenSecret("abcdef", "0123456789abcdef", Map.of("usage-bootstrap-authentication", ""));
            case "bad-extra-group" -> tokenSecret("abcdef", "0123456789abcdef", Map.of("auth-extra-groups", "system:masters"));
            case "unreadable-expiry" -> tokenSecret("abcdef", "0123456789abcdef", Map.of("expiration", "tomorrow"));
            case "wrong-type" -> new SecretBuilder(tokenSecret("abcdef", "0123456789abcdef", Map.of())).withType("Opaque").build();
            default -> tokenSecret("abcdef", "0123456789abcdef", Map.of());
        };
        store(secret);
        token = switch (problem) {
            case "wrong-secret" -> "abcdef.fedcba9876543210";
            case "unknown-id" -> "zzzzzz.0123456789abcdef";
            case "malformed" -> "abcdef:0123456789abcdef";
            default -> token;
        };

        assertThat(authenticator.authenticate(Credentials.bearer(token))).isEmpty();
    }

    @Test
    void aRequestWithoutATokenIsNotABootstrapRequest() {
        store(tokenSecret("abcdef", "0123456789abcdef", Map.of()));

        assertThat(authenticator.authenticate(Credentials.none())).isEmpty();
    }
}
