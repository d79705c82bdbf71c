package dev.slipway.pki;

/** X.509 key usage bits that Slipway sets; the index is the bit's place in {@code X509Certificate.getKeyUsage()}. */
public enum KeyUsage {
    DIGITAL_SIGNATURE(0, org.bouncycastle.asn1.x509.KeyUsage.digitalSignature),
    KEY_ENCIPHERMENT(2, org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment),
    KEY_CERT_SIGN(5, org.bouncycastle.asn1.x509.KeyUsage.keyCertSign),
    CRL_SIGN(6, org.bouncycastle.asn1.x509.KeyUsage.cRLSign);

    private final int index;
    private final int bouncyCastleBit;

    KeyUsage(int index, int bouncyCastleBit) {
        this.index = index;
        this.bouncyCastleBit = bouncyCastleBit;
    }

    int bouncyCastleBit() {
        return bouncyCastleBit;
    }

    boolean isSetIn(boolean[] keyUsage) {
        return keyUsage != null && keyUsage.length > index && keyUsage[index];
    }
}
