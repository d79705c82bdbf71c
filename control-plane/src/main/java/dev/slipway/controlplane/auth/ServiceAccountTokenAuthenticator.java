package dev.slipway.controlplane.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.slipway.controlplane.storage.ObjectKey;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Service-account tokens: JWTs signed with the cluster's {@code sa.key}, verified with {@code sa.pub},
 * from an accepted issuer for an accepted audience, unexpired, whose service account (and pod, when
 * bound to one) still exists with the uid the token names.
 */
final class ServiceAccountTokenAuthenticator implements Authenticator {

    static final String KUBERNETES_CLAIM = "kubernetes.io";
    // Clocks of API servers and token issuers differ a little; Kubernetes allows the same.
    private static final Duration LEEWAY = Duration.ofSeconds(60);

    private final JWSVerifier verifier;
    private final JWSAlgorithm algorithm;
    private final Set<String> issuers;
    private final Set<String> audiences;
    private final Function<ObjectKey, Optional<ServiceAccount>> serviceAccounts;
    private final Function<ObjectKey, Optional<PodReferences>> pods;
    private final Clock clock;

    ServiceAccountTokenAuthenticator(PublicKey key, Set<String> issuers, Set<String> audiences,
                                     Function<ObjectKey, Optional<ServiceAccount>> serviceAccounts,
                                     Function<ObjectKey, Optional<PodReferences>> pods, Clock clock) {
        this.algorithm = ServiceAccountKeys.algorithmFor(key);
        this.verifier = switch (key) {
            case RSAPublicKey rsa -> new RSASSAVerifier(rsa);
            case ECPublicKey ec -> ecVerifier(ec);
            default -> throw new IllegalArgumentException("service-account keys must be RSA or EC");
        };
        this.issuers = Set.copyOf(issuers);
        this.audiences = Set.copyOf(audiences);
        this.serviceAccounts = serviceAccounts;
        this.pods = pods;
        this.clock = clock;
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        String token = credentials.bearerToken().orElse("");
        if (token.chars().filter(c -> c == '.').count() != 2) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            // The algorithm is pinned by the key, never taken from the token (no "none", no HS256 with the public key).
            if (!algorithm.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            return claimed(jwt.getJWTClaimsSet()).flatMap(this::stillValid);
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Optional<ServiceAccountToken> claimed(JWTClaimsSet claims) throws ParseException {
        Instant now = clock.instant();
        Date expiry = claims.getExpirationTime();
        Date notBefore = claims.getNotBeforeTime();
        if (expiry == null || !now.isBefore(expiry.toInstant().plus(LEEWAY))
                || (notBefore != null && now.plus(LEEWAY).isBefore(notBefore.toInstant()))
                || !issuers.contains(claims.getIssuer())
                || Collections.disjoint(audiences, claims.getAudience())) {
            return Optional.empty();
        }
        Map<String, Object> kubernetes = claims.getJSONObjectClaim(KUBERNETES_CLAIM);
        if (kubernetes == null) {
            return Optional.empty();
        }
        Map<String, Object> account = mapOf(kubernetes.get("serviceaccount"));
        Map<String, Object> pod = mapOf(kubernetes.get("pod"));
        var subject = new ServiceAccountToken(String.valueOf(kubernetes.get("namespace")), String.valueOf(account.get("name")),
                stringOf(account.get("uid")), stringOf(pod.get("name")), stringOf(pod.get("uid")));
        return subject.userName().equals(claims.getSubject()) ? Optional.of(subject) : Optional.empty();
    }

    private Optional<UserInfo> stillValid(ServiceAccountToken token) {
        Optional<ServiceAccount> account = serviceAccounts.apply(
                new ObjectKey("serviceaccounts", token.namespace(), token.serviceAccountName()));
        if (account.isEmpty() || !uidMatches(token.serviceAccountUid(), uidOf(account.get()))) {
            return Optional.empty();
        }
        if (token.podBound()) {
            Optional<PodReferences> pod = pods.apply(new ObjectKey("pods", token.namespace(), token.podName()));
            if (pod.isEmpty() || !uidMatches(token.podUid(), pod.get().uid())) {
                return Optional.empty();
            }
        }
        Map<String, List<String>> extra = token.podBound()
                ? Map.of("authentication.kubernetes.io/pod-name", List.of(token.podName()),
                         "authentication.kubernetes.io/pod-uid", List.of(token.podUid()))
                : Map.of();
        List<String> groups = List.of(ServiceAccountToken.GROUP, ServiceAccountToken.GROUP + ":" + token.namespace(),
                UserInfo.AUTHENTICATED);
        return Optional.of(new UserInfo(token.userName(), groups, token.serviceAccountUid(), extra));
    }

    private static String uidOf(ServiceAccount account) {
        return account.getMetadata() == null ? null : account.getMetadata().getUid();
    }

    /** A token that names no uid matches any object of its name. */
    private static boolean uidMatches(String inToken, String ofObject) {
        return inToken.isEmpty() || inToken.equals(ofObject);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapOf(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static String stringOf(Object value) {
        return value == null ? "" : value.toString();
    }

    private static JWSVerifier ecVerifier(ECPublicKey key) {
        try {
            return new ECDSAVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the service-account EC key cannot verify tokens", e);
        }
    }
}
