package dev.slipway.controlplane.auth;

import java.nio.file.Path;
import java.util.List;

/**
 * How the API server checks service-account tokens.
 *
 * @param serviceAccountPublicKey the PEM public key ({@code sa.pub}) that verifies service-account tokens
 * @param issuers                 accepted {@code iss} claims
 * @param audiences               accepted {@code aud} values (a token needs one of them)
 */
public record AccessControlConfig(Path serviceAccountPublicKey, List<String> issuers, List<String> audiences) {

    public AccessControlConfig {
        issuers = List.copyOf(issuers);
        audiences = List.copyOf(audiences);
        if (issuers.isEmpty() || audiences.isEmpty()) {
            throw new IllegalArgumentException("service-account token checks need at least one issuer and one audience");
        }
    }

    /** Kubernetes' defaults: issuer and audience {@value TokenIssuer#DEFAULT_ISSUER}. */
    public static AccessControlConfig withDefaults(Path serviceAccountPublicKey) {
        return new AccessControlConfig(serviceAccountPublicKey, List.of(TokenIssuer.DEFAULT_ISSUER), List.of(TokenIssuer.DEFAULT_ISSUER));
    }
}
