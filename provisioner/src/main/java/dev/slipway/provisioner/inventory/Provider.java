package dev.slipway.provisioner.inventory;

/** How Slipway reaches the machines of an inventory. */
public enum Provider {
  /** Listed hosts, reached over SSH. */
  SSH,
  /** Folders on this machine, each bound to its own loopback address; no SSH. */
  LOCAL
}
