package dev.slipway.provisioner.phase;

/**
 * One step of a provisioning command. The contract is tiny on purpose; a phase that needs more
 * implements {@link Prepares}, {@link MayBeSkipped} or {@link SupportsDryRun}.
 */
public interface Phase {
  String title();

  /** Does the work; any exception stops the command at this phase. */
  void run(ClusterContext context) throws Exception;
}
