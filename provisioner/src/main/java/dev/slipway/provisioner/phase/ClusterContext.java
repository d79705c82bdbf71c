package dev.slipway.provisioner.phase;

import dev.slipway.provisioner.facts.HostFacts;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.transport.HostTransport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the phases of one command share: the inventory, one open connection per host (reused by
 * every phase), the facts gathered about hosts, the progress printer and the cluster directory.
 * Facts sit beside the inventory's hosts and are never written back to the inventory file.
 */
public final class ClusterContext implements AutoCloseable {
  private final Inventory inventory;
  private final Path clusterDir;
  private final Progress progress;
  private final HostConnector connector;
  private final boolean dryRun;
  private final Map<String, HostTransport> connections = new ConcurrentHashMap<>();
  private final Map<String, HostFacts> facts = new ConcurrentHashMap<>();

  public ClusterContext(Inventory inventory, Path clusterDir, Progress progress, HostConnector connector, boolean dryRun) {
    this.inventory = inventory;
    this.clusterDir = clusterDir;
    this.progress = progress;
    this.connector = connector;
    this.dryRun = dryRun;
  }

  /** The default cluster directory: {@code ~/.slipway/clusters/<name>/}. */
  public static Path defaultClusterDir(Inventory inventory) {
    return Path.of(System.getProperty("user.home"), ".slipway", "clusters", inventory.name());
  }

  public Inventory inventory() {
    return inventory;
  }

  public Path clusterDir() {
    return clusterDir;
  }

  public Progress progress() {
    return progress;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** The host's connection, opened on first use and kept until {@link #close()}. */
  public HostTransport connection(Host host) {
    return connections.computeIfAbsent(host.name(), name -> connector.open(host));
  }

  public void recordFacts(Host host, HostFacts hostFacts) {
    facts.put(host.name(), hostFacts);
  }

  public Optional<HostFacts> facts(Host host) {
    return Optional.ofNullable(facts.get(host.name()));
  }

  /** Closes every connection; one that fails to close does not keep the others open. */
  @Override
  public void close() {
    for (var connection : new ArrayList<>(connections.values())) {
      try {
        connection.close();
      } catch (RuntimeException e) {
        progress.note("could not close the connection to " + connection.hostName() + ": " + e.getMessage());
      }
    }
    connections.clear();
  }
}
