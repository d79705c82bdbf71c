package dev.slipway.controlplane.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a request presented to prove who sent it.
 *
 * @param clientChain the client certificate chain, leaf first, already verified by TLS against the
 *                    cluster CA; empty when the client sent none
 * @param bearerToken the token of an {@code Authorization: Bearer} header, when there was one
 */
public record Credentials(List<X509Certificate> clientChain, Optional<String> bearerToken) {

    public Credentials {
        clientChain = List.copyOf(clientChain);
        bearerToken = bearerToken.map(String::strip).filter(token -> !token.isEmpty());
    }

    public static Credentials none() {
        return new Credentials(List.of(), Optional.empty());
    }

    public static Credentials certificate(List<X509Certificate> chain) {
        return new Credentials(chain, Optional.empty());
    }

    public static Credentials bearer(String token) {
        return new Credentials(List.of(), Optional.of(token));
    }
}
