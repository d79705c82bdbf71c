package dev.slipway.controlplane.auth;

/** Decides whether a user may do what a request asks. */
public interface Authorizer {

    Decision authorize(RequestAttributes attributes);
}
