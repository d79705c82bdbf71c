package dev.slipway.provisioner.up;

import dev.slipway.pki.HostFile;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.PerHostPhase;
import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.up.FileSync.Content;
import dev.slipway.provisioner.up.FileSync.ShippedFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Ships each host its agent.yaml, its JVM launch settings ({@link AgentLaunchSettings}) and its own
 * certificates (kubeadm names by role: an etcd member gets {@code etcd/server.crt} for itself only),
 * keys 0600; and the systemd unit where the agent runs under systemd. Files whose digest already
 * matches are left alone.
 */
final class ShipConfig extends PerHostPhase<List<String>> {
  static final String PKI_DIR = "/etc/slipway/pki/";
  static final String CONFIG_PATH = "/etc/slipway/agent.yaml";
  private final UpRun run;

  ShipConfig(UpRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Ship configuration and certificates";
  }

  @Override
  protected List<String> runOn(Host host, ClusterContext context) {
    var files = new ArrayList<ShippedFile>();
    files.add(new ShippedFile(CONFIG_PATH, new Content.Bytes(UpRun.agentYaml(run.agentConfig(host))),
        FileAttributes.secretFile()));
    files.add(new ShippedFile(AgentLaunchSettings.PATH, new Content.Bytes(AgentLaunchSettings.of(host).envFile(host)
        .getBytes(StandardCharsets.UTF_8)), FileAttributes.publicFile()));
    var pki = new LinkedHashMap<String, HostFile>();
    if (host.has(Role.ETCD)) {
      run.catalogue().etcdMemberFiles(host.name()).forEach(f -> pki.put(f.target(), f));
    }
    if (host.has(Role.MASTER)) {
      run.catalogue().masterFiles().forEach(f -> pki.put(f.target(), f));
    }
    if (NodeSections.runsKubelet(host) && !host.has(Role.MASTER)) {
      var ca = run.catalogue().get(dev.slipway.pki.CertificateCatalogue.CLUSTER_CA).baseName() + ".crt";
      pki.put(ca, new HostFile(ca, ca, false));
    }
    for (var file : pki.values()) {
      files.add(new ShippedFile(PKI_DIR + file.target(), Content.LocalFile.of(run.dir().pki().resolve(file.source())),
          file.secret() ? FileAttributes.secretFile() : FileAttributes.publicFile()));
    }
    if (host.has(Role.MASTER)) {
      files.add(new ShippedFile("/etc/slipway/" + ClusterSecrets.ENCRYPTION_KEYS,
          Content.LocalFile.of(ClusterSecrets.encryptionKeyFile(run.dir())), FileAttributes.secretFile()));
    }
    if (AgentControl.of(host, context).systemd()) {
      files.add(new ShippedFile(AgentControl.UNIT_PATH, Content.LocalFile.of(run.bundle().systemdUnit()),
          FileAttributes.publicFile()));
    }
    var written = FileSync.sync(context.connection(host), files);
    written.forEach(path -> run.changed(host, "wrote " + path));
    run.shipped(host, files.stream().collect(Collectors.toMap(ShippedFile::hostPath, ShippedFile::sha256)));
    return written;
  }
}
