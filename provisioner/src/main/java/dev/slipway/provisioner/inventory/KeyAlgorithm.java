package dev.slipway.provisioner.inventory;

/** The key type of every certificate the cluster's PKI issues. */
public enum KeyAlgorithm {
  /** P-256. */
  ECDSA,
  RSA
}
