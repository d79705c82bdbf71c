package dev.slipway.provisioner.certs;

import dev.slipway.pki.CertificateCatalogue;
import dev.slipway.pki.CertificateRecord;
import dev.slipway.pki.CertificateSpec;
import dev.slipway.pki.PkiDirectory;
import dev.slipway.pki.ServedCertificates;
import dev.slipway.pki.TlsIdentity;
import dev.slipway.provisioner.cluster.ClusterDirectory;
import dev.slipway.provisioner.etcd.EtcdEndpoints;
import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.Inventory;
import dev.slipway.provisioner.inventory.Role;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code certs check}: every certificate of the catalogue as the cluster directory holds it, and
 * what each etcd member serves on 2379 and 2380 compared with the file it should serve. Flags what
 * expires within the threshold, has expired, is missing, differs from the file or cannot be reached.
 */
public final class CertsCheck {
  public static final Duration EXPIRY_THRESHOLD = Duration.ofDays(30);
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

  private final Clock clock;

  public CertsCheck(Clock clock) {
    this.clock = clock;
  }

  public List<CertificateRow> check(Inventory inventory, ClusterDirectory dir, CertificateCatalogue catalogue) {
    var now = clock.instant();
    var pki = new PkiDirectory(dir.pki(), clock, EXPIRY_THRESHOLD);
    var records = new HashMap<String, CertificateRecord>();
    pki.inspect(catalogue).forEach(r -> records.put(r.name(), r));
    var rows = new ArrayList<CertificateRow>();
    for (CertificateSpec spec : catalogue.certificates()) {
      var source = "pki/" + spec.baseName() + ".crt";
      var record = records.get(spec.name());
      rows.add(record == null
          ? new CertificateRow(spec.name(), source, Optional.empty(), 0, "MISSING", "no readable " + spec.certificateFile(dir.pki()))
          : expiry(spec.name(), source, record, now));
    }
    Optional<TlsIdentity> client = client(pki, catalogue);
    for (Host member : inventory.hostsWith(Role.ETCD)) {
      rows.add(served(member, EtcdEndpoints.CLIENT_PORT, catalogue.etcdServer(member.name()).name(), records, client, now));
      rows.add(served(member, EtcdEndpoints.PEER_PORT, catalogue.etcdPeer(member.name()).name(), records, client, now));
    }
    return rows;
  }

  private static Optional<TlsIdentity> client(PkiDirectory pki, CertificateCatalogue catalogue) {
    try {
      return Optional.of(pki.identity(catalogue.get("etcd-healthcheck-client")));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static CertificateRow expiry(String name, String source, CertificateRecord record, Instant now) {
    String flag = "";
    String detail = "";
    if (!record.notAfter().isAfter(now)) {
      flag = "EXPIRED";
      detail = "expired " + record.notAfter();
    } else if (record.expiresWithin(EXPIRY_THRESHOLD, now)) {
      flag = "EXPIRES SOON";
      detail = "within " + EXPIRY_THRESHOLD.toDays() + " days";
    }
    return new CertificateRow(name, source, Optional.of(record.notAfter()), record.daysLeft(), flag, detail);
  }

  private static CertificateRow served(Host host, int port, String expectedName, Map<String, CertificateRecord> files,
                                       Optional<TlsIdentity> client, Instant now) {
    var source = host.name() + " " + host.address() + ":" + port;
    try {
      var address = new InetSocketAddress(host.address(), port);
      var chain = client.isPresent() ? ServedCertificates.fetch(address, client.get(), HANDSHAKE_TIMEOUT)
          : ServedCertificates.fetch(address, HANDSHAKE_TIMEOUT);
      if (chain.isEmpty()) {
        return new CertificateRow(expectedName, source, Optional.empty(), 0, "UNREACHABLE", "no certificate served");
      }
      var served = CertificateRecord.of(expectedName, chain.getFirst(), now);
      var row = expiry(expectedName, source, served, now);
      var file = files.get(expectedName);
      if (file == null || !file.sha256Fingerprint().equals(served.sha256Fingerprint())) {
        return new CertificateRow(expectedName, source, row.notAfter(), row.daysLeft(), "MISMATCH",
            "serves " + served.subject() + " (sha256 " + served.sha256Fingerprint().substring(0, 23) + "...), not the file pki/"
                + (file == null ? "(missing)" : expectedName));
      }
      return row;
    } catch (RuntimeException e) {
      return new CertificateRow(expectedName, source, Optional.empty(), 0, "UNREACHABLE", String.valueOf(e.getMessage()));
    }
  }

  public static String table(List<CertificateRow> rows) {
    int nameWidth = Math.max(11, rows.stream().mapToInt(r -> r.certificate().length()).max().orElse(11));
    int sourceWidth = Math.max(6, rows.stream().mapToInt(r -> r.source().length()).max().orElse(6));
    var format = "%-" + nameWidth + "s  %-" + sourceWidth + "s  %-20s  %9s  %s%n";
    var out = new StringBuilder(String.format(Locale.ROOT, format, "CERTIFICATE", "SOURCE", "EXPIRES", "DAYS LEFT", "FLAG"));
    for (var r : rows) {
      out.append(String.format(Locale.ROOT, format, r.certificate(), r.source(),
          r.notAfter().map(i -> i.toString().replaceFirst("\\.\\d+Z$", "Z")).orElse("-"),
          r.notAfter().isPresent() ? String.valueOf(r.daysLeft()) : "-",
          r.flagged() ? r.flag() + ": " + r.detail() : "ok"));
    }
    return out.toString();
  }
}
