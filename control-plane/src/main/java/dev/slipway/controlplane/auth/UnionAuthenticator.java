package dev.slipway.controlplane.auth;

import java.util.List;
import java.util.Optional;

/** Asks each authenticator in turn; the first that recognises the credentials names the user. */
final class UnionAuthenticator implements Authenticator {

    private final List<Authenticator> authenticators;

    UnionAuthenticator(List<Authenticator> authenticators) {
        this.authenticators = List.copyOf(authenticators);
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        for (Authenticator authenticator : authenticators) {
            Optional<UserInfo> user = authenticator.authenticate(credentials);
            if (user.isPresent()) {
                return user;
            }
        }
        return Optional.empty();
    }
}
