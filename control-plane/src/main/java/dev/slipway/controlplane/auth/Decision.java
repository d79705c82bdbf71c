package dev.slipway.controlplane.auth;

/** An authorizer's answer: allow, deny (with a reason for the 403 message), or no opinion. */
public sealed interface Decision {

    record Allow() implements Decision {}

    record Deny(String reason) implements Decision {}

    record NoOpinion() implements Decision {}

    static Decision allow() {
        return new Allow();
    }

    static Decision deny(String reason) {
        return new Deny(reason);
    }

    static Decision noOpinion() {
        return new NoOpinion();
    }

    default boolean allowed() {
        return this instanceof Allow;
    }
}
