package dev.slipway.provisioner.certs;

import java.time.Instant;
import java.util.Optional;

/**
 * One row of {@code certs check}: a certificate from the cluster directory or as a host serves it.
 *
 * @param source   {@code pki/etcd/ca.crt} or {@code master-1 10.0.0.11:2379}
 * @param notAfter empty when nothing could be read (missing file, unreachable port)
 * @param flag     empty when fine; else what is wrong (EXPIRED, EXPIRES SOON, MISMATCH, MISSING, UNREACHABLE)
 */
public record CertificateRow(String certificate, String source, Optional<Instant> notAfter, long daysLeft,
                             String flag, String detail) {
  public boolean flagged() {
    return !flag.isEmpty();
  }
}
