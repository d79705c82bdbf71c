package dev.slipway.controlplane.controllers.csr;

import dev.slipway.controlplane.controller.Lister;
import dev.slipway.controlplane.controller.ObjectRef;
import dev.slipway.controlplane.controller.Reconciler;
import dev.slipway.controlplane.controller.Result;
import dev.slipway.pki.CertificateAuthority;
import dev.slipway.pki.CertificateRequestRejected;
import dev.slipway.pki.ExtendedUsage;
import dev.slipway.pki.Pem;
import dev.slipway.pki.SubjectRule;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approves the kubelet certificate requests {@link CsrDecision} allows, then signs approved
 * requests of the kubelet signers with the cluster CA. A request whose subject or SANs do not
 * hold up when signing gets a {@code Failed} condition with the reason.
 */
final class CsrSigningReconciler implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(CsrSigningReconciler.class);

    /** The writes the reconciler makes, so that tests can record them. */
    interface CsrWriter {
        void approve(CertificateSigningRequest csr, CertificateSigningRequestCondition approved);

        void writeStatus(CertificateSigningRequest csr);
    }

    private final Lister<CertificateSigningRequest> csrs;
    private final Lister<Node> nodes;
    private final CsrWriter writer;
    private final CertificateAuthority ca;
    private final Duration validity;
    private final Clock clock;

    CsrSigningReconciler(Lister<CertificateSigningRequest> csrs, Lister<Node> nodes, CsrWriter writer, CertificateAuthority ca,
                         Duration validity, Clock clock) {
        this.csrs = csrs;
        this.nodes = nodes;
        this.writer = writer;
        this.ca = ca;
        this.validity = validity;
        this.clock = clock;
    }

    @Override
    public Result reconcile(ObjectRef key) {
        Optional<CertificateSigningRequest> found = csrs.get(key);
        if (found.isEmpty() || found.get().getSpec() == null) {
            return Result.DONE;
        }
        CertificateSigningRequest csr = found.get();
        if (issued(csr) || has(csr, "Denied") || has(csr, "Failed")) {
            return Result.DONE;
        }
        String pem = new String(Base64.getDecoder().decode(String.valueOf(csr.getSpec().getRequest())), StandardCharsets.US_ASCII);
        if (!has(csr, "Approved")) {
            String commonName = commonName(pem).orElse("");
            switch (CsrDecision.of(csr, commonName)) {
                case CsrDecision.Approve approve -> {
                    writer.approve(csr, condition("Approved", "AutoApproved", approve.reason()));
                    log.info("approved certificate signing request {} of {} for node {}", key, csr.getSpec().getUsername(), approve.node());
                }
                case CsrDecision.Leave leave -> log.debug("leaving certificate signing request {}: {}", key, leave.why());
            }
            return Result.DONE; // the approval is an update: its event brings the request back for signing
        }
        String signer = csr.getSpec().getSignerName();
        if (!CsrDecision.CLIENT_SIGNER.equals(signer) && !CsrDecision.SERVING_SIGNER.equals(signer)) {
            return Result.DONE;
        }
        CertificateSigningRequest next = copy(csr);
        try {
            X509Certificate certificate = sign(pem, signer);
            next.getStatus().setCertificate(Base64.getEncoder().encodeToString(Pem.encode(certificate).getBytes(StandardCharsets.US_ASCII)));
            log.info("signed certificate signing request {} as {}", key, certificate.getSubjectX500Principal().getName());
        } catch (CertificateRequestRejected e) {
            next.getStatus().getConditions().add(condition("Failed", "SignerValidationFailure", e.getMessage()));
            log.warn("certificate signing request {} cannot be signed: {}", key, e.getMessage());
        }
        writer.writeStatus(next);
        return Result.DONE;
    }

    private X509Certificate sign(String pem, String signer) {
        String commonName = commonName(pem).orElseThrow(() -> new CertificateRequestRejected("the request cannot be read"));
        String node = commonName.startsWith(CsrDecision.NODE_PREFIX) ? commonName.substring(CsrDecision.NODE_PREFIX.length()) : "";
        if (CsrDecision.CLIENT_SIGNER.equals(signer)) {
            return ca.sign(pem, SubjectRule.kubeletClient(node), Set.of(ExtendedUsage.CLIENT_AUTH), validity, clock.instant());
        }
        X509Certificate certificate = ca.sign(pem, new SubjectRule(Pattern.compile(Pattern.quote(commonName)), List.of("system:nodes"), true),
                Set.of(ExtendedUsage.SERVER_AUTH), validity, clock.instant());
        List<String> allowed = nodeNames(node);
        for (String name : subjectAltNames(certificate)) {
            if (!allowed.contains(name)) {
                throw new CertificateRequestRejected("the request names " + name + ", which is not an address or name of node " + node
                        + " (" + allowed + ")");
            }
        }
        return certificate;
    }

    /** The names a node's serving certificate may carry: its Node's addresses, once it has registered. */
    private List<String> nodeNames(String node) {
        List<String> names = new ArrayList<>();
        nodes.get(new ObjectRef("", node)).ifPresent(found -> {
            if (found.getStatus() != null && found.getStatus().getAddresses() != null) {
                found.getStatus().getAddresses().stream().map(NodeAddress::getAddress).forEach(names::add);
            }
        });
        return names;
    }

    private static List<String> subjectAltNames(X509Certificate certificate) {
        try {
            var entries = certificate.getSubjectAlternativeNames();
            return entries == null ? List.of() : entries.stream().map(entry -> entry.get(1).toString()).toList();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new CertificateRequestRejected("unreadable subject alternative names: " + e.getMessage());
        }
    }

    static Optional<String> commonName(String pem) {
        try {
            var parser = new org.bouncycastle.openssl.PEMParser(new StringReader(pem));
            if (parser.readObject() instanceof org.bouncycastle.pkcs.PKCS10CertificationRequest request) {
                for (var rdn : request.getSubject().getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN)) {
                    return Optional.of(org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(rdn.getFirst().getValue()));
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean issued(CertificateSigningRequest csr) {
        return csr.getStatus() != null && csr.getStatus().getCertificate() != null && !csr.getStatus().getCertificate().isEmpty();
    }

    private static boolean has(CertificateSigningRequest csr, String type) {
        return csr.getStatus() != null && csr.getStatus().getConditions() != null
                && csr.getStatus().getConditions().stream().anyMatch(c -> type.equals(c.getType()) && !"False".equals(c.getStatus()));
    }

    private CertificateSigningRequestCondition condition(String type, String reason, String message) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        return new CertificateSigningRequestConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastUpdateTime(now).withLastTransitionTime(now).build();
    }

    private static CertificateSigningRequest copy(CertificateSigningRequest csr) {
        var builder = new io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder(csr);
        CertificateSigningRequest copy = builder.build();
        if (copy.getStatus() == null) {
            copy.setStatus(new io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestStatus());
        }
        copy.getStatus().setConditions(new ArrayList<>(copy.getStatus().getConditions() == null ? List.of() : copy.getStatus().getConditions()));
        return copy;
    }
}
