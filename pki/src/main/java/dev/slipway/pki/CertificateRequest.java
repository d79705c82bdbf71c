package dev.slipway.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A parsed PKCS#10 request whose signature has been checked (the requester holds the key). */
record CertificateRequest(String commonName, List<String> organizations, List<String> otherSubjectParts,
                          SubjectAltNames subjectAltNames, PublicKey publicKey) {

    static CertificateRequest parse(String pem) {
        PKCS10CertificationRequest request;
        try {
            request = Pem.parseCertificateRequest(pem, "certificate request");
        } catch (PkiException e) {
            throw new CertificateRequestRejected(e.getMessage());
        }
        try {
            JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(request);
            PublicKey key = jca.getPublicKey();
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new CertificateRequestRejected("the request's signature does not verify with its own public key");
            }
            String commonName = null;
            List<String> organizations = new ArrayList<>();
            List<String> others = new ArrayList<>();
            for (RDN rdn : request.getSubject().getRDNs()) {
                for (var pair : rdn.getTypesAndValues()) {
                    String value = IETFUtils.valueToString(pair.getValue());
                    if (pair.getType().equals(BCStyle.CN)) {
                        if (commonName != null) {
                            throw new CertificateRequestRejected("the request's subject has more than one CN");
                        }
                        commonName = value;
                    } else if (pair.getType().equals(BCStyle.O)) {
                        organizations.add(value);
                    } else {
                        others.add(BCStyle.INSTANCE.oidToDisplayName(pair.getType()) + "=" + value);
                    }
                }
            }
            if (commonName == null || commonName.isBlank()) {
                throw new CertificateRequestRejected("the request's subject has no CN");
            }
            return new CertificateRequest(commonName, List.copyOf(organizations), List.copyOf(others),
                    subjectAltNames(request), key);
        } catch (CertificateRequestRejected e) {
            throw e;
        } catch (Exception e) {
            throw new CertificateRequestRejected("the request cannot be read: " + e.getMessage());
        }
    }

    private static SubjectAltNames subjectAltNames(PKCS10CertificationRequest request) {
        List<String> entries = new ArrayList<>();
        for (Attribute attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttributeValues()) {
                GeneralNames names = GeneralNames.fromExtensions(Extensions.getInstance(value), Extension.subjectAlternativeName);
                if (names == null) {
                    continue;
                }
                for (GeneralName name : names.getNames()) {
                    switch (name.getTagNo()) {
                        case GeneralName.dNSName -> entries.add(DERIA5String.getInstance(name.getName()).getString());
                        case GeneralName.iPAddress -> entries.add(ipText(ASN1OctetString.getInstance(name.getName()).getOctets()));
                        default -> throw new CertificateRequestRejected(
                                "the request asks for a subject alternative name of type " + name.getTagNo()
                                        + "; only DNS names and IP addresses are signed");
                    }
                }
            }
        }
        return SubjectAltNames.of(entries);
    }

    private static String ipText(byte[] octets) {
        try {
            return InetAddress.getByAddress(octets).getHostAddress();
        } catch (UnknownHostException e) {
            throw new CertificateRequestRejected("the request has a malformed IP address SAN");
        }
    }
}
