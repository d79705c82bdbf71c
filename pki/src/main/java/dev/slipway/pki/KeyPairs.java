package dev.slipway.pki;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** What can be learned about a key pair from its parts. */
final class KeyPairs {

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyPairs() {
    }

    /** True when the private key signs what the public key verifies: the proof that they are one pair. */
    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
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

    /** The public half of a private key (RSA from its CRT parameters, EC from the public point stored with it). */
    static PublicKey publicKeyOf(PrivateKey privateKey) {
        try {
            if (privateKey instanceof RSAPrivateCrtKey rsa) {
                return KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(privateKey.getEncoded());
            if (privateKey.getAlgorithm().equals("EC")) {
                ECPrivateKey ec = ECPrivateKey.getInstance(info.parsePrivateKey());
                if (ec.getPublicKey() != null) {
                    AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
                    byte[] encoded = new SubjectPublicKeyInfo(algorithm, ec.getPublicKey().getBytes()).getEncoded();
                    return KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(encoded));
                }
            }
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new PkiException("cannot derive the public key: " + e.getMessage(), e);
        }
        throw new PkiException("cannot derive the public key of a " + privateKey.getAlgorithm()
                + " private key that does not carry it");
    }
}
