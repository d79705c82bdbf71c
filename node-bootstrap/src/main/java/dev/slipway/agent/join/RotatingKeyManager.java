package dev.slipway.agent.join;

import dev.slipway.pki.TlsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the certificate and key in two files, re-reading them when the certificate file
 * changes, so that a renewed kubelet certificate is used by the next connection without
 * rebuilding the clients that hold this key manager.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {

  private static final String ALIAS = "identity";

  private final Path certificateFile;
  private final Path keyFile;
  private FileTime loadedAt;
  private TlsIdentity identity;

  public RotatingKeyManager(Path certificateFile, Path keyFile) {
    this.certificateFile = certificateFile;
    this.keyFile = keyFile;
    current();
  }

  public KeyManager[] asArray() {
    return new KeyManager[] {this};
  }

  /** The identity in the files now. */
  public synchronized TlsIdentity current() {
    try {
      FileTime modified = Files.getLastModifiedTime(certificateFile);
      if (identity == null || !modified.equals(loadedAt)) {
        identity = TlsIdentity.load(certificateFile, keyFile);
        loadedAt = modified;
      }
      return identity;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + certificateFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return current().chain().toArray(X509Certificate[]::new);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return current().key();
  }

}
