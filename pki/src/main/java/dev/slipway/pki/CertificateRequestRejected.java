package dev.slipway.pki;

/** A certificate signing request that Slipway refuses to sign; the message says why. */
public final class CertificateRequestRejected extends RuntimeException {
    public CertificateRequestRejected(String message) {
        super(message);
    }
}
