package dev.slipway.controlplane.storage;

import java.util.function.Function;

/**
 * Finds the watchers of one resource that an event may concern by one field of its object, as
 * Kubernetes' watch cache does with its indexed triggers (pods by {@code spec.nodeName}, the field
 * every kubelet's watch selects on): the event is offered to the watchers that require the value the
 * object had before or after the change, and to those that require no single value, instead of
 * asking each of a thousand watchers in turn.
 *
 * @param field   the field as watchers name it in their selectors
 * @param valueOf the field's value in a stored object ({@code ""} when unset); called on the feed
 *                thread, once per object state, so it must be quick
 */
public record WatchIndex(String field, Function<StoredObject, String> valueOf) {
}
