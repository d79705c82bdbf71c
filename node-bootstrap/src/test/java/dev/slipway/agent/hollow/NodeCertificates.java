package dev.slipway.agent.hollow;

import dev.slipway.agent.join.CertificateFiles;
import dev.slipway.pki.CertificateAuthority;
import dev.slipway.pki.CertificateSpec;
import dev.slipway.pki.ExtendedUsage;
import dev.slipway.pki.KeyAlgorithm;
import dev.slipway.pki.KeyUsage;
import dev.slipway.pki.Pem;
import dev.slipway.pki.SubjectAltNames;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Kubelet client certificates straight from the cluster CA, as the CSR signer would issue them
 * ({@code CN=system:node:<name>}, {@code O=system:nodes}), written where a node keeps them; hollow
 * nodes skip the join so that a thousand of them start in seconds, not in a thousand CSRs.
 */
public final class NodeCertificates {

  static final String NODE_USER_PREFIX = "system:node:";
  static final String NODES_GROUP = "system:nodes";

  private final CertificateAuthority ca;
  private final Path directory;
  private final Clock clock;

  public NodeCertificates(CertificateAuthority ca, Path directory, Clock clock) {
    this.ca = ca;
    this.directory = directory;
    this.clock = clock;
  }

  /** Issues and writes {@code <directory>/<node>/kubelet-client.crt} and {@code .key} (0600). */
  public CertificateFiles issue(String node) {
    KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
    String subject = NODE_USER_PREFIX + node;
    CertificateSpec spec = new CertificateSpec("kubelet-client-" + node, "kubelet-client", new CertificateSpec.Issuer.SignedBy("ca"), subject,
        List.of(NODES_GROUP), Set.of(KeyUsage.DIGITAL_SIGNATURE), Set.of(ExtendedUsage.CLIENT_AUTH), SubjectAltNames.NONE, Duration.ofDays(1));
    CertificateFiles files = CertificateFiles.in(directory.resolve(node), "kubelet-client");
    files.write(pair.getPrivate(), Pem.encode(ca.issue(spec, pair.getPublic(), clock.instant())));
    return files;
  }
}
