package dev.slipway.pki;

/** The verification a certificate or key file failed. */
public enum Check {
    /** The files are absent (only when verifying without creating). */
    MISSING,
    /** The file does not parse as the PEM it should be. */
    UNREADABLE,
    /** The certificate exists but its private key does not; a new key would not match it. */
    MISSING_KEY,
    /** The private key is not the certificate's. */
    KEY_MISMATCH,
    /** Not signed by the catalogue's CA for it (or, for a CA, not self-signed). */
    WRONG_ISSUER,
    /** The certificate lacks subject alternative names the catalogue computes (e.g. a master was added). */
    MISSING_SAN,
    /** CN or O differ from the catalogue's. */
    WRONG_SUBJECT,
    /** Basic constraints, key usage or extended key usage do not allow what the catalogue needs. */
    WRONG_USAGE,
    /** Expired, or expiring within the threshold. */
    EXPIRING,
    /** Not valid yet (a clock far behind, or a certificate from the future). */
    NOT_YET_VALID,
    /** The private key file can be read by group or others. */
    INSECURE_KEY_MODE,
    /** The certificate's CA has a problem, so it cannot be issued or verified. */
    CA_UNUSABLE,
    /** The CA's files are gone while certificates it issued remain: a new CA would orphan them. */
    CA_MISSING_WITH_LEAVES
}
