package dev.slipway.pki;

/** A file that cannot be read or written, or a cryptographic operation that failed; the message names the file. */
public class PkiException extends RuntimeException {
    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
