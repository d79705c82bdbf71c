package dev.slipway.pki;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a certificate request's subject must be for Slipway to sign it: a CN matching a pattern,
 * exactly these organizations, and SANs only where allowed. Anything else in the subject is refused.
 *
 * @param commonName    the whole CN must match, e.g. {@code system:node:[a-z0-9.-]+}
 * @param organizations the O values, exactly (order does not matter)
 */
public record SubjectRule(Pattern commonName, List<String> organizations, boolean allowSubjectAltNames) {

    public SubjectRule {
        Objects.requireNonNull(commonName, "common name pattern");
        organizations = List.copyOf(organizations);
    }

    /** Kubelet client certificates: CN {@code system:node:<name>}, O {@code system:nodes}, no SANs. */
    public static SubjectRule kubeletClient(String nodeName) {
        return new SubjectRule(Pattern.compile(Pattern.quote("system:node:" + nodeName)), List.of("system:nodes"), false);
    }

    void check(CertificateRequest request) {
        if (!commonName.matcher(request.commonName()).matches()) {
            throw new CertificateRequestRejected("the request's CN '" + request.commonName()
                    + "' does not match " + commonName.pattern());
        }
        if (!request.organizations().stream().sorted().toList().equals(organizations.stream().sorted().toList())) {
            throw new CertificateRequestRejected("the request's O " + request.organizations()
                    + " is not " + organizations);
        }
        if (!request.otherSubjectParts().isEmpty()) {
            throw new CertificateRequestRejected("the request's subject has parts other than CN and O: "
                    + request.otherSubjectParts());
        }
        if (!allowSubjectAltNames && !request.subjectAltNames().isEmpty()) {
            throw new CertificateRequestRejected("the request asks for subject alternative names ("
                    + request.subjectAltNames() + "), which this kind of certificate may not have");
        }
    }
}
