package dev.slipway.agent.join;

import dev.slipway.pki.Pem;
import dev.slipway.pki.PkiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A certificate and its key in two files ({@code <pki>/<name>.crt}, {@code .key}). The key is
 * written (0600) before the certificate and each file is renamed into place whole, so a reader that
 * follows the certificate file always finds the key that belongs to it.
 */
public record CertificateFiles(Path certificate, Path key) {

  /** Renewal starts when this share of a certificate's life has passed. */
  static final double RENEW_AT = 0.8;

  public static CertificateFiles in(Path pkiDir, String name) {
    return new CertificateFiles(pkiDir.resolve(name + ".crt"), pkiDir.resolve(name + ".key"));
  }

  /** The certificate on disk, if there is a readable one. */
  public Optional<X509Certificate> read() {
    if (!Files.exists(certificate) || !Files.exists(key)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Pem.readCertificate(certificate));
    } catch (PkiException e) {
      return Optional.empty();
    }
  }

  /** When the certificate on disk should be renewed: at 80% of its life; now when there is none. */
  public Instant renewalTime() {
    return read().map(CertificateFiles::renewalTime).orElse(Instant.EPOCH);
  }

  static Instant renewalTime(X509Certificate certificate) {
    Instant from = certificate.getNotBefore().toInstant();
    Instant to = certificate.getNotAfter().toInstant();
    return from.plus(Duration.ofMillis((long) (Duration.between(from, to).toMillis() * RENEW_AT)));
  }

  /** Whether the certificate on disk can still authenticate at {@code now}. */
  public boolean usableAt(Instant now) {
    return read().map(c -> now.isBefore(c.getNotAfter().toInstant()) && !now.isBefore(c.getNotBefore().toInstant())).orElse(false);
  }

  public void write(PrivateKey privateKey, String certificatePem) {
    try {
      Files.createDirectories(certificate.toAbsolutePath().getParent());
      replace(key, Pem.encode(privateKey), "rw-------");
      replace(certificate, certificatePem, "rw-r--r--");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + certificate + " and " + key + ": " + e.getMessage(), e);
    }
  }

  private static void replace(Path file, String content, String mode) throws IOException {
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    Files.writeString(temp, content);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
