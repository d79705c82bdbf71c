package dev.slipway.provisioner.etcd;

import dev.slipway.agent.config.AgentFormats;
import dev.slipway.agent.snapshot.SnapshotMetadata;
import dev.slipway.agent.snapshot.SnapshotWriter;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.HostConnector;
import dev.slipway.provisioner.transport.HostFanout;
import dev.slipway.provisioner.transport.HostOutcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;

/**
 * {@code etcd snapshot list}: the snapshots on this machine and those the agents took on each
 * etcd member (their sidecars, read over the transport).
 */
public final class SnapshotCatalog {
  /** Where the snapshots below were found, and the sidecars found there (or why none could be read). */
  public record Place(String where, List<SnapshotMetadata> snapshots, String error) {
    public Place {
      snapshots = List.copyOf(snapshots);
    }
  }

  private static final String SEPARATOR = "\u001e";

  private SnapshotCatalog() {}

  public static List<Place> list(Inventory inventory, ClusterDirectory dir, HostConnector connector)
      throws InterruptedException {
    var places = new ArrayList<Place>();
    var local = new SnapshotWriter(dir.snapshots(), inventory.name()).list().stream()
        .map(f -> SnapshotMetadata.read(SnapshotMetadata.sidecarOf(f))).toList();
    places.add(new Place("local " + dir.snapshots(), local, ""));
    var members = inventory.hostsWith(Role.ETCD);
    var outcomes = new HostFanout().run(members, Host::name, host -> {
      try (var transport = connector.open(host)) {
        var result = transport.run("for f in \"$SLIPWAY_ROOT\"/var/lib/slipway/snapshots/*.json; do "
            + "if [ -f \"$f\" ]; then cat \"$f\"; printf '\\n" + SEPARATOR + "\\n'; fi; done").orThrow();
        return parse(result.stdout());
      }
    });
    for (int i = 0; i < members.size(); i++) {
      var where = members.get(i).name() + ":/var/lib/slipway/snapshots";
      switch (outcomes.get(i)) {
        case HostOutcome.Succeeded<List<SnapshotMetadata>> ok -> places.add(new Place(where, ok.value(), ""));
        case HostOutcome.Failed<List<SnapshotMetadata>> failed -> places.add(new Place(where, List.of(),
            String.valueOf(failed.error().getMessage())));
      }
    }
    return places;
  }

  static List<SnapshotMetadata> parse(String output) {
    var found = new ArrayList<SnapshotMetadata>();
    for (var part : output.split(SEPARATOR)) {
      if (part.isBlank()) {
        continue;
      }
      try {
        found.add(AgentFormats.JSON.readValue(part.strip(), SnapshotMetadata.class));
      } catch (JacksonException e) {
        // A sidecar being written or damaged: the table lists what can be read.
      }
    }
    found.sort(Comparator.comparing(SnapshotMetadata::time));
    return found;
  }

  public static String table(List<Place> places) {
    var out = new StringBuilder();
    for (var place : places) {
      out.append(place.where()).append(place.error().isEmpty() ? "" : ": unreachable: " + place.error()).append('\n');
      if (place.error().isEmpty() && place.snapshots().isEmpty()) {
        out.append("  (no snapshots)\n");
      }
      for (var s : place.snapshots()) {
        out.append(String.format(Locale.ROOT, "  %-55s  rev %-10d  %10s  %s%n", s.file(), s.revision(), size(s.size()), s.time()));
      }
    }
    return out.toString();
  }

  static String size(long bytes) {
    return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
        : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }
}
