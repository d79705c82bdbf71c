package dev.slipway.provisioner.phase;

/** A phase that looks at the cluster before it runs, e.g. to choose its hosts. */
public interface Prepares {
  void prepare(ClusterContext context) throws Exception;
}
