package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.controlplane.storage.ObjectKey;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceAccountTokenTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final List<String> AUDIENCE = List.of(TokenIssuer.DEFAULT_ISSUER);
    private static final ServiceAccountToken BUILDER = ServiceAccountToken.of("ci", "builder", "sa-uid-1");

    @TempDir
    Path dir;
    private final Map<ObjectKey, ServiceAccount> accounts = new HashMap<>();
    private final Map<ObjectKey, Pod> pods = new HashMap<>();
    private KeyPair keys;
    private TokenIssuer issuer;
    private Authenticator authenticator;

    static KeyPair rsaKeys() throws GeneralSecurityException {
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static Path writePem(Path file, String type, byte[] der) throws IOException {
        Files.writeString(file, "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n");
        return file;
    }

    private TokenIssuer issuerAt(Instant instant, KeyPair pair) {
        return new TokenIssuer(pair.getPrivate(), pair.getPublic(), TokenIssuer.DEFAULT_ISSUER, Clock.fixed(instant, ZoneOffset.UTC));
    }

    @BeforeEach
    void setUp() throws Exception {
        keys = rsaKeys();
        issuer = issuerAt(NOW, keys);
        authenticator = new ServiceAccountTokenAuthenticator(keys.getPublic(), Set.of(TokenIssuer.DEFAULT_ISSUER), Set.copyOf(AUDIENCE),
                key -> Optional.ofNullable(accounts.get(key)), key -> Optional.ofNullable(pods.get(key)).map(pod -> PodReferences.read(ModelJson.write(pod))),
                Clock.fixed(NOW.plusSeconds(30), ZoneOffset.UTC));
        accounts.put(new ObjectKey("serviceaccounts", "ci", "builder"), new ServiceAccountBuilder()
                .withNewMetadata().withName("builder").withNamespace("ci").withUid("sa-uid-1").endMetadata().build());
    }

    @Test
    void anIssuedTokenAuthenticatesItsServiceAccount() {
        String token = issuer.issue(BUILDER, AUDIENCE, Duration.ofHours(1));

        Optional<UserInfo> user = authenticator.authenticate(Credentials.bearer(token));

        assertThat(user).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("system:serviceaccount:ci:builder");
            assertThat(u.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated");
            assertThat(u.uid()).isEqualTo("sa-uid-1");
        });
    }

    @Test
    void aPodBoundTokenNamesThePodWhileThePodExists() {
        String token = issuer.issue(BUILDER.boundToPod("job-1", "pod-uid-1"), AUDIENCE, Duration.ofHours(1));
        pods.put(new ObjectKey("pods", "ci", "job-1"),
                new PodBuilder().withNewMetadata().withName("job-1").withNamespace("ci").withUid("pod-uid-1").endMetadata().build());

        assertThat(authenticator.authenticate(Credentials.bearer(token)))
                .hasValueSatisfying(u -> assertThat(u.extra()).containsEntry("authentication.kubernetes.io/pod-name", List.of("job-1")));

        pods.clear();
        assertThat(authenticator.authenticate(Credentials.bearer(token))).isEmpty();
    }

    @Test
    void aTokenForADeletedServiceAccountIsRejected() {
        String token = issuer.issue(BUILDER, AUDIENCE, Duration.ofHours(1));
        accounts.clear();

        assertThat(authenticator.authenticate(Credentials.bearer(token))).isEmpty();
    }

    @Test
    void aTokenForARecreatedServiceAccountIsRejected() {
        String token = issuer.issue(BUILDER, AUDIENCE, Duration.ofHours(1));
        accounts.put(new ObjectKey("serviceaccounts", "ci", "builder"), new ServiceAccountBuilder()
                .withNewMetadata().withName("builder").withNamespace("ci").withUid("sa-uid-2").endMetadata().build());

        assertThat(authenticator.authenticate(Credentials.bearer(token))).isEmpty();
    }

    @Test
    void anExpiredTokenIsRejected() {
        String token = issuerAt(NOW.minus(Duration.ofHours(2)), keys).issue(BUILDER, AUDIENCE, Duration.ofHours(1));

        assertThat(authenticator.authenticate(Credentials.bearer(token))).isEmpty();
    }

    @Test
    void aTokenForAnotherAudienceIsRejected() {
        String token = issuer.issue(BUILDER, List.of("vault"), Duration.ofHours(1));

        assertThat(authenticator.authenticate(Credentials.bearer(token))).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRejected() throws Exception {
        String token = issuerAt(NOW, rsaKeys()).issue(BUILDER, AUDIENCE, Duration.ofHours(1));

        assertThat(authenticator.authenticate(Credentials.bearer(token))).isEmpty();
    }

    @Test
    void anUnsignedTokenIsRejected() {
        String signed = issuer.issue(BUILDER, AUDIENCE, Duration.ofHours(1));
        String payload = signed.split("\\.")[1];
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());

        assertThat(authenticator.authenticate(Credentials.bearer(header + "." + payload + "."))).isEmpty();
    }

    @Test
    void aTamperedTokenIsRejected() {
        String[] parts = issuer.issue(BUILDER, AUDIENCE, Duration.ofHours(1)).split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1])).replace("builder", "admin00");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes()) + "." + parts[2];

        assertThat(authenticator.authenticate(Credentials.bearer(forged))).isEmpty();
    }

    @Test
    void keysAreReadFromPemFilesInPkcs8AndPkcs1() throws Exception {
        Path pub = writePem(dir.resolve("sa.pub"), "PUBLIC KEY", keys.getPublic().getEncoded());
        Path pkcs8 = writePem(dir.resolve("sa.key"), "PRIVATE KEY", keys.getPrivate().getEncoded());
        // PKCS#1 is the inner OCTET STRING of PKCS#8; for a 2048-bit key the prefix is 26 bytes long.
        byte[] pkcs8Der = keys.getPrivate().getEncoded();
        Path pkcs1 = writePem(dir.resolve("sa-rsa.key"), "RSA PRIVATE KEY", java.util.Arrays.copyOfRange(pkcs8Der, 26, pkcs8Der.length));

        for (Path key : List.of(pkcs8, pkcs1)) {
            String token = TokenIssuer.fromKeyFiles(key, pub, TokenIssuer.DEFAULT_ISSUER).issue(BUILDER, AUDIENCE, Duration.ofHours(1));
            var fromFile = new ServiceAccountTokenAuthenticator(ServiceAccountKeys.readPublic(pub), Set.of(TokenIssuer.DEFAULT_ISSUER),
                    Set.copyOf(AUDIENCE), k -> Optional.ofNullable(accounts.get(k)), k -> Optional.empty(), Clock.systemUTC());
            assertThat(fromFile.authenticate(Credentials.bearer(token))).as(key.toString()).isPresent();
        }
    }

    @Test
    void aPublicKeyFileHoldingSomethingElseSaysWhichFile() throws Exception {
        // the signing key where the public key belongs
        Path bogus = writePem(dir.resolve("sa.pub"), "PRIVATE KEY", keys.getPrivate().getEncoded());

        assertThatThrownBy(() -> ServiceAccountKeys.readPublic(bogus))
                .isInstanceOf(dev.slipway.pki.PkiException.class)
                .hasMessageContaining(bogus.toString()).hasMessageContaining("PUBLIC KEY");
    }
}
