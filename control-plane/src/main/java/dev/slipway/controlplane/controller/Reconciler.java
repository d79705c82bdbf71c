package dev.slipway.controlplane.controller;

/**
 * Brings one object to its described state. Called with a key only: it re-reads desired and actual
 * state (a missing object means it was deleted), acts, writes status and says when to come back.
 * Any exception is retried with per-key exponential back-off.
 */
@FunctionalInterface
public interface Reconciler {

    Result reconcile(ObjectRef key) throws Exception;
}
