package dev.slipway.agent.testing;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdTlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An etcd CA and member certificates made with the real {@code openssl} (ECDSA P-256), laid out as
 * the agent expects them under {@code <root>/etc/slipway/pki/etcd/}.
 */
public final class TestPki {

  private final Path dir;
  private final Path caCert;
  private final Path caKey;

  private TestPki(Path dir) {
    this.dir = dir;
    this.caCert = dir.resolve("ca.crt");
    this.caKey = dir.resolve("ca.key");
  }

  /** A fresh CA in {@code dir}. */
  public static TestPki create(Path dir, String commonName) {
    TestPki pki = new TestPki(dir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", pki.caKey.toString(), "-out", pki.caCert.toString(), "-days", "2", "-subj", "/CN=" + commonName);
    return pki;
  }

  public Path caCert() {
    return caCert;
  }

  /** A certificate and key for {@code name}, usable as server and client, valid for the given IP addresses. */
  public Leaf issue(String name, String... addresses) {
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".crt");
    Path ext = dir.resolve(name + ".ext");
    StringBuilder sans = new StringBuilder("subjectAltName=DNS:localhost,DNS:" + name + ",IP:127.0.0.1");
    for (String address : addresses) {
      sans.append(",IP:").append(address);
    }
    try {
      Files.writeString(ext, sans + "\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
    openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
        "-set_serial", Long.toString(System.nanoTime()), "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
    return new Leaf(cert, key);
  }

  /** Installs this CA and a server and peer certificate for {@code name} at {@code address} into the agent's root. */
  public EtcdTlsFiles installMember(AgentPaths paths, String name, String address) {
    EtcdTlsFiles files = EtcdTlsFiles.standard(paths);
    Leaf server = issue(name + "-server", address);
    Leaf peer = issue(name + "-peer", address);
    copy(caCert, files.caCert());
    copy(server.cert(), files.serverCert());
    copy(server.key(), files.serverKey());
    copy(peer.cert(), files.peerCert());
    copy(peer.key(), files.peerKey());
    return files;
  }

  /** An ECDSA key pair like the service-account signing key; returns the public key PEM written to {@code publicKey}. */
  public Path keyPair(Path publicKey) {
    Path privateKey = dir.resolve(publicKey.getFileName() + ".private.pem");
    openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", privateKey.toString());
    try {
      Files.createDirectories(publicKey.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    openssl(dir, "pkey", "-in", privateKey.toString(), "-pubout", "-out", publicKey.toString());
    return publicKey;
  }

  /** Copies a leaf to {@code <pki>/<baseName>.crt} and {@code .key}. */
  public static void install(Leaf leaf, Path pkiDir, String baseName) {
    copy(leaf.cert(), pkiDir.resolve(baseName + ".crt"));
    copy(leaf.key(), pkiDir.resolve(baseName + ".key"));
  }

  public record Leaf(Path cert, Path key) {}

  private static void copy(Path from, Path to) {
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void openssl(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
