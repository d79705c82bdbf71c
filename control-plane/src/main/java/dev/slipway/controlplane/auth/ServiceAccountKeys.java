package dev.slipway.controlplane.auth;

import com.nimbusds.jose.JWSAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the service-account key pair ({@code sa.key}, {@code sa.pub}) from PEM files. */
final class ServiceAccountKeys {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private ServiceAccountKeys() {
    }

    static PublicKey readPublic(Path file) {
        Block block = readBlock(file);
        if (!block.type().equals("PUBLIC KEY")) {
            throw new IllegalArgumentException(file + ": expected a PEM \"PUBLIC KEY\" (the service-account public key), found \"" + block.type() + "\"");
        }
        var spec = new X509EncodedKeySpec(block.der());
        return firstThatParses(file, algorithm -> KeyFactory.getInstance(algorithm).generatePublic(spec));
    }

    static PrivateKey readPrivate(Path file) {
        Block block = readBlock(file);
        byte[] pkcs8 = switch (block.type()) {
            case "PRIVATE KEY" -> block.der();
            case "RSA PRIVATE KEY" -> wrapRsaPkcs1(block.der());
            default -> throw new IllegalArgumentException(file + ": expected a PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" (the service-account signing key), found \"" + block.type() + "\"");
        };
        var spec = new PKCS8EncodedKeySpec(pkcs8);
        return firstThatParses(file, algorithm -> KeyFactory.getInstance(algorithm).generatePrivate(spec));
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

    private record Block(String type, byte[] der) {
    }

    private static Block readBlock(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read service-account key file " + file, e);
        }
        Matcher matcher = PEM.matcher(text);
        if (!matcher.find()) {
            throw new IllegalArgumentException(file + ": no PEM block found");
        }
        try {
            return new Block(matcher.group(1), Base64.getMimeDecoder().decode(matcher.group(2)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the PEM block is not valid base64", e);
        }
    }

    private interface KeyParser<K> {
        K parse(String algorithm) throws GeneralSecurityException;
    }

    private static <K> K firstThatParses(Path file, KeyParser<K> parser) {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return parser.parse(algorithm);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(file + ": not an RSA or EC key");
    }

    // PKCS#8 = SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING { PKCS#1 key } }
    private static byte[] wrapRsaPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int length = content.length;
        byte[] header;
        if (length < 0x80) {
            header = new byte[] {(byte) tag, (byte) length};
        } else if (length < 0x100) {
            header = new byte[] {(byte) tag, (byte) 0x81, (byte) length};
        } else if (length < 0x10000) {
            header = new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
        } else {
            header = new byte[] {(byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
        }
        byte[] out = new byte[header.length + length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(content, 0, out, header.length, length);
        return out;
    }
}
