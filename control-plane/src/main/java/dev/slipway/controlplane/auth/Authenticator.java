package dev.slipway.controlplane.auth;

import java.util.Optional;

/** Turns a request's credentials into a user. */
public interface Authenticator {

    /**
     * @return the user, or empty when these credentials do not identify one (anonymous or invalid):
     *         the server then answers 401, except on {@code /healthz}, {@code /livez},
     *         {@code /readyz} and {@code /version}
     */
    Optional<UserInfo> authenticate(Credentials credentials);
}
