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
        return Decision.deny(forbiddenMessage(request));
    }

    /** Kubernetes' wording, which kubectl users recognise. */
    static String forbiddenMessage(RequestAttributes request) {
        String user = "User \"" + request.user().name() + "\"";
        if (!request.resourceRequest()) {
            return user + " cannot " + request.verb() + " path \"" + request.path() + "\"";
        }
        String resource = request.subresource().isEmpty() ? request.resource() : request.resource() + "/" + request.subresource();
        String scope = request.namespace().isEmpty() ? "at the cluster scope" : "in the namespace \"" + request.namespace() + "\"";
        return user + " cannot " + request.verb() + " resource \"" + resource + "\" in API group \"" + request.apiGroup()
                + "\" " + scope;
    }
}
