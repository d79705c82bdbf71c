package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Role;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.PerHostPhase;
import dev.slipway.provisioner.phase.Prepares;
import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.up.FileSync.Content;
import dev.slipway.provisioner.up.FileSync.ShippedFile;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Ships the agent jar, its launcher and (to etcd members) the etcd binary; skips what the host already has. */
final class ShipBundle extends PerHostPhase<List<String>> implements Prepares {
  private final UpRun run;
  private Content.LocalFile agentJar;
  private Content.LocalFile launcher;
  private Content.LocalFile etcd;

  ShipBundle(UpRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Ship the node bundle";
  }

  @Override
  public void prepare(ClusterContext context) {
    var bundle = run.bundle().checked();
    agentJar = Content.LocalFile.of(bundle.agentJar());
    launcher = Content.LocalFile.of(bundle.launcher());
    etcd = Content.LocalFile.of(bundle.etcdBinary());
  }

  @Override
  protected List<String> runOn(Host host, ClusterContext context) {
    var files = new ArrayList<ShippedFile>();
    files.add(new ShippedFile("/opt/slipway/slipway-agent.jar", agentJar, FileAttributes.publicFile()));
    files.add(new ShippedFile(AgentControl.LAUNCHER_PATH, launcher, FileAttributes.executable()));
    if (host.has(Role.ETCD)) {
      files.add(new ShippedFile("/opt/slipway/bin/etcd", etcd, FileAttributes.executable()));
    }
    var written = FileSync.sync(context.connection(host), files);
    written.forEach(path -> run.changed(host, "wrote " + path));
    run.shipped(host, files.stream().collect(Collectors.toMap(ShippedFile::hostPath, ShippedFile::sha256)));
    return written;
  }
}
