package dev.slipway.provisioner.inventory;

import java.time.Duration;

/** Key type and lifetimes of the cluster's certificates. */
public record PkiSpec(KeyAlgorithm keyAlgorithm, Duration caValidity, Duration leafValidity) {}
