package dev.slipway.provisioner.inventory;

/** How SSH host keys are checked against the known-hosts file. */
public enum HostKeyCheck {
  /** Unknown or changed key refused. */
  STRICT,
  /** Unknown key learned and appended; changed key still refused. */
  ACCEPT_NEW
}
