package dev.slipway.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;

/** The kind of key pair made for a new certificate. */
public enum KeyAlgorithm {
    ECDSA_P256("ecdsa"),
    RSA_2048("rsa-2048"),
    RSA_3072("rsa-3072");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String inventoryName;

    KeyAlgorithm(String inventoryName) {
        this.inventoryName = inventoryName;
    }

    /** The name used in inventories: {@code ecdsa}, {@code rsa} (2048 bits), {@code rsa-2048}, {@code rsa-3072}. */
    public static KeyAlgorithm fromName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("rsa")) {
            return RSA_2048;
        }
        return Arrays.stream(values())
                .filter(algorithm -> algorithm.inventoryName.equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown key algorithm '" + name + "': expected ecdsa, rsa, rsa-2048 or rsa-3072"));
    }

    public String inventoryName() {
        return inventoryName;
    }

    public boolean isRsa() {
        return this != ECDSA_P256;
    }

    /** A new key pair of this kind, from one shared {@link SecureRandom}. */
    public KeyPair generate() {
        try {
            return switch (this) {
                case ECDSA_P256 -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    yield generator.generateKeyPair();
                }
                case RSA_2048, RSA_3072 -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(this == RSA_2048 ? 2048 : 3072, RANDOM);
                    yield generator.generateKeyPair();
                }
            };
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot generate a " + inventoryName + " key pair: " + e.getMessage(), e);
        }
    }

    /** The signature algorithm a key of this kind signs with; the signer's key decides, not the subject's. */
    static String signatureAlgorithmFor(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new PkiException("unsupported private key algorithm " + key.getAlgorithm()
                    + ": Slipway signs with ECDSA or RSA keys");
        };
    }
}
