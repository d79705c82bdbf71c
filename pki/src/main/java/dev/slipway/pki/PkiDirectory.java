package dev.slipway.pki;

import dev.slipway.pki.PkiReport.Created;
import dev.slipway.pki.PkiReport.Finding;
import dev.slipway.pki.PkiReport.Outcome;
import dev.slipway.pki.PkiReport.Problem;
import dev.slipway.pki.PkiReport.Reused;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A folder of PEM files named as kubeadm names them ({@code ca.crt}, {@code etcd/ca.key}, {@code sa.pub}, ...).
 * {@link #ensure} loads and verifies each catalogue entry, creates the missing ones, and never
 * replaces an existing file: a file that fails a check is reported and left alone.
 * Keys are written 0600, certificates 0644, folders 0700, each file atomically.
 */
public final class PkiDirectory {

    public static final Duration DEFAULT_EXPIRY_THRESHOLD = Duration.ofDays(30);

    private final Path folder;
    private final Clock clock;
    private final Duration expiryThreshold;

    public PkiDirectory(Path folder, Clock clock, Duration expiryThreshold) {
        this.folder = folder;
        this.clock = clock;
        this.expiryThreshold = expiryThreshold;
    }

    /** The folder with the system clock and a 30-day expiry threshold. */
    public static PkiDirectory at(Path folder) {
        return new PkiDirectory(folder, Clock.systemUTC(), DEFAULT_EXPIRY_THRESHOLD);
    }

    public Path folder() {
        return folder;
    }

    /** Load, verify, else create: the result says created, reused or problem for each entry. */
    public PkiReport ensure(CertificateCatalogue catalogue) {
        return new Pass(catalogue, catalogue.keyAlgorithm(), true).run();
    }

    /** Verifies without writing anything; an absent file is a {@link Check#MISSING} problem. */
    public PkiReport verify(CertificateCatalogue catalogue) {
        return new Pass(catalogue, catalogue.keyAlgorithm(), false).run();
    }

    /** A record per certificate file of the catalogue that exists and parses, for expiry tables. */
    public List<CertificateRecord> inspect(CertificateCatalogue catalogue) {
        Instant now = clock.instant();
        List<CertificateRecord> records = new ArrayList<>();
        for (CertificateSpec spec : catalogue.certificates()) {
            Path file = spec.certificateFile(folder);
            if (Files.isRegularFile(file)) {
                try {
                    records.add(CertificateRecord.of(spec.name(), Pem.readCertificate(file), now));
                } catch (PkiException unreadable) {
                    // verify() reports unreadable files; a table lists what can be read
                }
            }
        }
        return List.copyOf(records);
    }

    /** The CA of the catalogue with this name, loaded with its key (to sign CSRs). */
    public CertificateAuthority authority(CertificateSpec ca) {
        if (!ca.isCertificateAuthority()) {
            throw new IllegalArgumentException(ca.name() + " is not a CA");
        }
        return CertificateAuthority.load(ca.certificateFile(folder), ca.keyFile(folder));
    }

    /** The certificate and key of a catalogue entry, for TLS. */
    public TlsIdentity identity(CertificateSpec spec) {
        return TlsIdentity.load(spec.certificateFile(folder), spec.keyFile(folder));
    }

    /** One pass over the catalogue; CAs are handled before the leaves they sign. */
    private final class Pass {
        private final CertificateCatalogue catalogue;
        private final KeyAlgorithm newKeys;
        private final boolean create;
        private final Instant now = clock.instant();
        private final CertificateVerifier verifier = new CertificateVerifier(now, expiryThreshold);
        /** CA name to its certificate, when the certificate could be read (even if the CA has a problem). */
        private final Map<String, X509Certificate> caCertificates = new HashMap<>();
        /** CA name to the loaded CA, only when it verified: only these issue. */
        private final Map<String, CertificateAuthority> usableAuthorities = new HashMap<>();

        Pass(CertificateCatalogue catalogue, KeyAlgorithm newKeys, boolean create) {
            this.catalogue = catalogue;
            this.newKeys = newKeys;
            this.create = create;
        }

        PkiReport run() {
            Map<String, Outcome> outcomes = new HashMap<>();
            for (CertificateSpec ca : catalogue.authorities()) {
                outcomes.put(ca.name(), authority(ca));
            }
            for (CertificateSpec spec : catalogue.certificates()) {
                if (!spec.isCertificateAuthority()) {
                    outcomes.put(spec.name(), leaf(spec));
                }
            }
            List<Outcome> ordered = new ArrayList<>();
            catalogue.certificates().forEach(spec -> ordered.add(outcomes.get(spec.name())));
            ordered.add(serviceAccountKey(catalogue.serviceAccountKey()));
            return new PkiReport(ordered);
        }

        private Outcome authority(CertificateSpec spec) {
            Path certificateFile = spec.certificateFile(folder);
            Path keyFile = spec.keyFile(folder);
            boolean hasCertificate = Files.exists(certificateFile);
            boolean hasKey = Files.exists(keyFile);
            if (hasCertificate) {
                X509Certificate certificate;
                try {
                    certificate = Pem.readCertificate(certificateFile);
                } catch (PkiException e) {
                    return problem(spec, Check.UNREADABLE, certificateFile, e.getMessage());
                }
                caCertificates.put(spec.name(), certificate);
                if (!hasKey) {
                    return problem(spec, Check.MISSING_KEY, keyFile, "CA certificate " + certificateFile
                            + " exists but its private key is absent; restore the key (a new CA would not be trusted "
                            + "by what the old one signed)");
                }
                PrivateKey key;
                try {
                    key = Pem.readPrivateKey(keyFile);
                } catch (PkiException e) {
                    return problem(spec, Check.UNREADABLE, keyFile, e.getMessage());
                }
                List<Finding> findings = verifier.verifyAuthority(certificateFile, certificate, keyFile, key);
                if (!findings.isEmpty()) {
                    return new Problem(spec.name(), findings);
                }
                usableAuthorities.put(spec.name(), new CertificateAuthority(certificate, key));
                return new Reused(spec.name(), List.of(certificateFile, keyFile));
            }
            if (!create) {
                return problem(spec, Check.MISSING, certificateFile, "CA certificate is absent");
            }
            List<Path> orphans = existingFilesIssuedBy(spec);
            if (!hasKey && !orphans.isEmpty()) {
                return problem(spec, Check.CA_MISSING_WITH_LEAVES, certificateFile,
                        "CA certificate and key are absent but files it issued remain (" + orphans
                                + "); restore the CA, or remove those files to issue a new CA and new certificates");
            }
            KeyPair pair;
            if (hasKey) {
                try {
                    PrivateKey key = Pem.readPrivateKey(keyFile);
                    pair = new KeyPair(KeyPairs.publicKeyOf(key), key);
                } catch (PkiException e) {
                    return problem(spec, Check.UNREADABLE, keyFile, e.getMessage());
                }
            } else {
                pair = newKeys.generate();
            }
            X509Certificate certificate = CertificateAuthority.selfSign(spec, pair, now);
            List<Path> written = write(certificateFile, certificate, keyFile, hasKey ? null : pair.getPrivate());
            caCertificates.put(spec.name(), certificate);
            usableAuthorities.put(spec.name(), new CertificateAuthority(certificate, pair.getPrivate()));
            return new Created(spec.name(), written);
        }

        private Outcome leaf(CertificateSpec spec) {
            Path certificateFile = spec.certificateFile(folder);
            Path keyFile = spec.keyFile(folder);
            boolean hasCertificate = Files.exists(certificateFile);
            boolean hasKey = Files.exists(keyFile);
            String caName = spec.signerName();
            Path caFile = catalogue.get(caName).certificateFile(folder);
            if (hasCertificate) {
                if (!hasKey) {
                    return problem(spec, Check.MISSING_KEY, keyFile,
                            "certificate " + certificateFile + " exists but its private key is absent");
                }
                X509Certificate certificate;
                try {
                    certificate = Pem.readCertificate(certificateFile);
                } catch (PkiException e) {
                    return problem(spec, Check.UNREADABLE, certificateFile, e.getMessage());
                }
                PrivateKey key;
                try {
                    key = Pem.readPrivateKey(keyFile);
                } catch (PkiException e) {
                    return problem(spec, Check.UNREADABLE, keyFile, e.getMessage());
                }
                X509Certificate caCertificate = caCertificates.get(caName);
                if (caCertificate == null) {
                    return problem(spec, Check.CA_UNUSABLE, caFile, "cannot verify " + certificateFile
                            + ": its CA " + caName + " could not be read");
                }
                List<Finding> findings = verifier.verifyLeaf(spec, certificateFile, certificate, keyFile, key, caCertificate);
                return findings.isEmpty()
                        ? new Reused(spec.name(), List.of(certificateFile, keyFile))
                        : new Problem(spec.name(), findings);
            }
            if (!create) {
                return problem(spec, Check.MISSING, certificateFile, "certificate is absent");
            }
            CertificateAuthority ca = usableAuthorities.get(caName);
            if (ca == null) {
                return problem(spec, Check.CA_UNUSABLE, caFile, "cannot issue " + certificateFile
                        + ": its CA " + caName + " has a problem");
            }
            PublicKey publicKey;
            PrivateKey newKey = null;
            if (hasKey) {
                try {
                    publicKey = KeyPairs.publicKeyOf(Pem.readPrivateKey(keyFile));
                } catch (PkiException e) {
                    return problem(spec, Check.UNREADABLE, keyFile, e.getMessage());
                }
            } else {
                KeyPair pair = newKeys.generate();
                publicKey = pair.getPublic();
                newKey = pair.getPrivate();
            }
            X509Certificate certificate = ca.issue(spec, publicKey, now);
            return new Created(spec.name(), write(certificateFile, certificate, keyFile, newKey));
        }

        private Outcome serviceAccountKey(ServiceAccountKeySpec spec) {
            Path keyFile = spec.privateKeyFile(folder);
            Path publicFile = spec.publicKeyFile(folder);
            boolean hasKey = Files.exists(keyFile);
            boolean hasPublic = Files.exists(publicFile);
            if (hasKey && hasPublic) {
                try {
                    PrivateKey key = Pem.readPrivateKey(keyFile);
                    PublicKey publicKey = Pem.readPublicKey(publicFile);
                    List<Finding> findings = new ArrayList<>();
                    if (!KeyPairs.matches(key, publicKey)) {
                        findings.add(new Finding(Check.KEY_MISMATCH, publicFile, "is not the public key of " + keyFile));
                    }
                    verifier.keyMode(keyFile, findings);
                    return findings.isEmpty()
                            ? new Reused(spec.name(), List.of(keyFile, publicFile))
                            : new Problem(spec.name(), findings);
                } catch (PkiException e) {
                    return new Problem(spec.name(), List.of(new Finding(Check.UNREADABLE, keyFile, e.getMessage())));
                }
            }
            if (hasPublic) {
                return new Problem(spec.name(), List.of(new Finding(Check.MISSING_KEY, keyFile,
                        "service-account public key " + publicFile + " exists but the private key is absent")));
            }
            if (!create) {
                return new Problem(spec.name(), List.of(new Finding(Check.MISSING, keyFile, "service-account key is absent")));
            }
            List<Path> written = new ArrayList<>();
            PrivateKey key;
            if (hasKey) {
                try {
                    key = Pem.readPrivateKey(keyFile);
                } catch (PkiException e) {
                    return new Problem(spec.name(), List.of(new Finding(Check.UNREADABLE, keyFile, e.getMessage())));
                }
            } else {
                KeyPair pair = spec.algorithm().generate();
                key = pair.getPrivate();
                SecureFiles.create(keyFile, bytes(Pem.encode(key)), SecureFiles.PRIVATE);
                written.add(keyFile);
            }
            SecureFiles.create(publicFile, bytes(Pem.encode(KeyPairs.publicKeyOf(key))), SecureFiles.PUBLIC);
            written.add(publicFile);
            return new Created(spec.name(), written);
        }

        private List<Path> existingFilesIssuedBy(CertificateSpec ca) {
            List<Path> files = new ArrayList<>();
            for (CertificateSpec leaf : catalogue.issuedBy(ca.name())) {
                for (Path file : List.of(leaf.certificateFile(folder), leaf.keyFile(folder))) {
                    if (Files.exists(file)) {
                        files.add(file);
                    }
                }
            }
            return files;
        }

        /** The key first: an interrupted run leaves a key without certificate, which the next run completes. */
        private List<Path> write(Path certificateFile, X509Certificate certificate, Path keyFile, PrivateKey newKey) {
            SecureFiles.folder(folder);
            List<Path> written = new ArrayList<>();
            if (newKey != null) {
                SecureFiles.create(keyFile, bytes(Pem.encode(newKey)), SecureFiles.PRIVATE);
                written.add(keyFile);
            }
            SecureFiles.create(certificateFile, bytes(Pem.encode(certificate)), SecureFiles.PUBLIC);
            written.add(certificateFile);
            return written;
        }
    }

    private static Problem problem(CertificateSpec spec, Check check, Path file, String detail) {
        return new Problem(spec.name(), List.of(new Finding(check, file, detail)));
    }

    private static byte[] bytes(String pem) {
        return pem.getBytes(StandardCharsets.US_ASCII);
    }
}
