package dev.slipway.provisioner.cli;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.HostAccess;
import dev.slipway.provisioner.phase.HostConnector;
import dev.slipway.provisioner.transport.HostEndpoint;
import dev.slipway.provisioner.transport.HostKeyPolicy;
import dev.slipway.provisioner.transport.HostTransport;
import dev.slipway.provisioner.transport.LocalTransport;
import dev.slipway.provisioner.transport.SshTransport;
import java.io.IOException;
import java.nio.file.Files;

/** Maps an inventory host to its transport: SSH for {@code provider: ssh}, a folder for {@code local}. */
final class TransportConnector implements HostConnector {
  @Override
  public HostTransport open(Host host) {
    return switch (host.access()) {
      case HostAccess.Ssh ssh -> SshTransport.connect(endpoint(host, ssh));
      case HostAccess.Local local -> {
        try {
          Files.createDirectories(local.rootDir());
        } catch (IOException e) {
          throw new IllegalStateException("host " + host.name() + ": cannot create its rootDir " + local.rootDir()
              + ": " + e.getMessage(), e);
        }
        yield new LocalTransport(host.name(), local.rootDir());
      }
    };
  }

  static HostEndpoint endpoint(Host host, HostAccess.Ssh ssh) {
    var policy = switch (ssh.hostKeyCheck()) {
      case STRICT -> HostKeyPolicy.STRICT;
      case ACCEPT_NEW -> HostKeyPolicy.ACCEPT_NEW;
    };
    return new HostEndpoint(host.name(), host.address(), ssh.port(), ssh.user(), ssh.identityFile(),
        ssh.knownHostsFile(), policy, ssh.connectTimeout());
  }
}
