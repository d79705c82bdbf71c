package dev.slipway.provisioner.phase;

/** A phase that can tell, after {@link Prepares#prepare}, that there is nothing to do. */
public interface MayBeSkipped {
  boolean shouldRun(ClusterContext context);
}
