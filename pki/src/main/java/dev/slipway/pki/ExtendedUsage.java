package dev.slipway.pki;

import org.bouncycastle.asn1.x509.KeyPurposeId;

/** What a leaf certificate may be used for in TLS. */
public enum ExtendedUsage {
    SERVER_AUTH(KeyPurposeId.id_kp_serverAuth),
    CLIENT_AUTH(KeyPurposeId.id_kp_clientAuth);

    private final KeyPurposeId purpose;

    ExtendedUsage(KeyPurposeId purpose) {
        this.purpose = purpose;
    }

    KeyPurposeId purpose() {
        return purpose;
    }

    /** The dotted OID, as {@code X509Certificate.getExtendedKeyUsage()} lists it. */
    public String oid() {
        return purpose.getId();
    }
}
