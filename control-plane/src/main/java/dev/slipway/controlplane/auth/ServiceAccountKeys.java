package dev.slipway.controlplane.auth;

import com.nimbusds.jose.JWSAlgorithm;
import dev.slipway.pki.Pem;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Base64;

/** The service-account key pair ({@code sa.key}, {@code sa.pub}): reading it, and what tokens signed with it declare. */
final class ServiceAccountKeys {

    private ServiceAccountKeys() {
    }

    /** A PEM {@code PUBLIC KEY}; a PkiException names the file when it is not one. */
    static PublicKey readPublic(Path file) {
        return Pem.readPublicKey(file);
    }

    /** A PEM private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC). */
    static PrivateKey readPrivate(Path file) {
        return Pem.readPrivateKey(file);
    }

    /** The signature algorithm tokens use with this key: RS256 for RSA, ES256/384/512 for EC by curve size. */
    static JWSAlgorithm algorithmFor(Key key) {
        return switch (key) {
            case RSAKey ignored -> JWSAlgorithm.RS256;
            case ECKey ec -> switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> JWSAlgorithm.ES256;
                case 384 -> JWSAlgorithm.ES384;
                case 521 -> JWSAlgorithm.ES512;
                default -> throw new IllegalArgumentException("unsupported EC curve for service-account tokens");
            };
            default -> throw new IllegalArgumentException("service-account keys must be RSA or EC, not " + key.getAlgorithm());
        };
    }

    /** The key id Kubernetes puts in the token header: the unpadded base64url SHA-256 of the public key's DER. */
    static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
