package dev.slipway.pki;

import java.nio.file.Path;

/**
 * The key pair that signs and verifies service-account tokens: not a certificate, two PEM files.
 * It is always RSA 2048 so that tokens are RS256, which every token consumer accepts.
 */
public record ServiceAccountKeySpec(String name, String privateKeyBaseName, String publicKeyBaseName) {

    public static final ServiceAccountKeySpec DEFAULT = new ServiceAccountKeySpec("sa", "sa.key", "sa.pub");

    public Path privateKeyFile(Path pkiFolder) {
        return pkiFolder.resolve(privateKeyBaseName);
    }

    public Path publicKeyFile(Path pkiFolder) {
        return pkiFolder.resolve(publicKeyBaseName);
    }

    KeyAlgorithm algorithm() {
        return KeyAlgorithm.RSA_2048;
    }
}
