package dev.slipway.pki;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;

/** What can be learned about a key pair from its parts. */
final class KeyPairs {

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyPairs() {
    }

    /** True when the private key signs what the public key verifies: the proof that they are one pair. */
    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        // Bouncy Castle, once registered (MINA SSHD does it), names EC keys "ECDSA" where the JDK says "EC".
        if (!family(privateKey.getAlgorithm()).equals(family(publicKey.getAlgorithm()))) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            String algorithm = KeyAlgorithm.signatureAlgorithmFor(privateKey);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | PkiException e) {
            return false;
        }
    }

    private static String family(String algorithm) {
        return algorithm.equals("ECDSA") ? "EC" : algorithm;
    }

    /** The public half of a private key: RSA from its CRT parameters, EC by computing d·G on its curve. */
    static PublicKey publicKeyOf(PrivateKey privateKey) {
        try {
            return switch (privateKey) {
                case RSAPrivateCrtKey rsa -> KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
                case ECPrivateKey ec -> {
                    ECPoint q = EC5Util.convertSpec(ec.getParams()).getG().multiply(ec.getS()).normalize();
                    java.security.spec.ECPoint point = new java.security.spec.ECPoint(
                            q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
                    yield KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, ec.getParams()));
                }
                default -> throw new PkiException("cannot derive the public key of a " + privateKey.getAlgorithm()
                        + " private key: Slipway uses ECDSA and RSA keys");
            };
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot derive the public key: " + e.getMessage(), e);
        }
    }
}
