package dev.slipway.controlplane.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Mints service-account tokens: JWTs signed with the cluster's {@code sa.key}, in the shape
 * Kubernetes' TokenRequest API issues (the {@code kubernetes.io} claim names namespace, service
 * account and, when bound, pod), so that the API servers' authenticator accepts them.
 */
public final class TokenIssuer {

    /** Kubernetes' default issuer and audience, which in-cluster clients expect. */
    public static final String DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

    private final JWSSigner signer;
    private final JWSAlgorithm algorithm;
    private final String keyId;
    private final String issuer;
    private final Clock clock;

    TokenIssuer(PrivateKey signingKey, PublicKey verificationKey, String issuer, Clock clock) {
        this.algorithm = ServiceAccountKeys.algorithmFor(verificationKey);
        this.signer = switch (signingKey) {
            case ECPrivateKey ec -> ecSigner(ec);
            default -> new RSASSASigner(signingKey);
        };
        this.keyId = ServiceAccountKeys.keyId(verificationKey);
        this.issuer = issuer;
        this.clock = clock;
    }

    /**
     * @param signingKeyFile the PEM private key ({@code sa.key})
     * @param publicKeyFile  its PEM public key ({@code sa.pub}), which names the key id in each token
     */
    public static TokenIssuer fromKeyFiles(Path signingKeyFile, Path publicKeyFile, String issuer) {
        return new TokenIssuer(ServiceAccountKeys.readPrivate(signingKeyFile), ServiceAccountKeys.readPublic(publicKeyFile),
                issuer, Clock.systemUTC());
    }

    /** A signed token for {@code subject}, valid for {@code audiences} from now for {@code lifetime}. */
    public String issue(ServiceAccountToken subject, List<String> audiences, Duration lifetime) {
        if (audiences.isEmpty() || lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("a token needs at least one audience and a positive lifetime");
        }
        Instant now = clock.instant();
        Map<String, Object> account = Map.of("name", subject.serviceAccountName(), "uid", subject.serviceAccountUid());
        Map<String, Object> kubernetes = new LinkedHashMap<>();
        kubernetes.put("namespace", subject.namespace());
        kubernetes.put("serviceaccount", account);
        if (subject.podBound()) {
            kubernetes.put("pod", Map.of("name", subject.podName(), "uid", subject.podUid()));
        }
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(subject.userName())
                .audience(audiences)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim(ServiceAccountTokenAuthenticator.KUBERNETES_CLAIM, kubernetes)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(keyId).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a service-account token for " + subject.userName(), e);
        }
        return jwt.serialize();
    }

    private static JWSSigner ecSigner(ECPrivateKey key) {
        try {
            return new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the service-account EC key cannot sign tokens", e);
        }
    }
}
