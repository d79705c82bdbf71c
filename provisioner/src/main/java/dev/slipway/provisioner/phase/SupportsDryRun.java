package dev.slipway.provisioner.phase;

/**
 * A phase that changes hosts and can instead say what it would change. In a dry run the runner
 * calls {@link #dryRun} for these phases; phases without it only read, so they run as usual.
 */
public interface SupportsDryRun {
  void dryRun(ClusterContext context) throws Exception;
}
