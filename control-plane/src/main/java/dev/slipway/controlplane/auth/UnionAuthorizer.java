package dev.slipway.controlplane.auth;

import java.util.List;

/** Asks each authorizer in turn: the first Allow or Deny decides, NoOpinion asks the next; nobody allowing denies. */
final class UnionAuthorizer implements Authorizer {

    private final List<Authorizer> authorizers;

    UnionAuthorizer(List<Authorizer> authorizers) {
        this.authorizers = List.copyOf(authorizers);
    }

    @Override
    public Decision authorize(RequestAttributes request) {
        for (Authorizer authorizer : authorizers) {
            Decision decision = authorizer.authorize(request);
            if (!(decision instanceof Decision.NoOpinion)) {
                return decision;
            }
        }
        // Nobody allowed it; the API server words the 403 ("pods \"web\" is forbidden: User ...") itself.
        return Decision.deny("");
    }
}
