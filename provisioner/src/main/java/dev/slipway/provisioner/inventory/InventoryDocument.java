package dev.slipway.provisioner.inventory;

import java.util.List;
import java.util.Map;

/**
 * The inventory file exactly as written: every field optional, enumerations and durations still
 * text. {@link InventoryValidator} turns it into an {@link Inventory}.
 */
record InventoryDocument(String apiVersion, String kind, Metadata metadata, Spec spec) {

  record Metadata(String name) {}

  record Spec(String provider, Ssh ssh, List<HostEntry> hosts, NetworkEntry network,
              ApiServer apiServer, ControllerManager controllerManager, Etcd etcd, Pki pki, Runtime runtime) {}

  record Ssh(String user, Integer port, String identityFile, String knownHostsFile,
             String hostKeyPolicy, String connectTimeout) {}

  record HostEntry(String name, String address, Integer port, String user, List<String> roles,
                   Map<String, String> labels, List<String> taints, String rootDir) {}

  record NetworkEntry(String podCIDR, String serviceCIDR, String clusterDomain) {}

  record ApiServer(List<String> extraSANs) {}

  record ControllerManager(String podEvictionTimeout) {}

  record Etcd(String binary, Download download, Snapshots snapshots) {}

  record Download(String url, String sha256) {}

  record Snapshots(String interval, Integer keep) {}

  record Pki(String keyAlgorithm, String caValidity, String leafValidity) {}

  record Runtime(String kind) {}
}
