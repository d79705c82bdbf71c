package dev.slipway.controlplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class ClientCertificateAuthenticatorTest {

    private final Authenticator authenticator = new ClientCertificateAuthenticator();

    static X509Certificate certificate(String subject) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(new X500Name("CN=test-ca"), BigInteger.ONE, Date.from(now),
                Date.from(now.plus(Duration.ofHours(1))), new X500Name(subject), pair.getPublic());
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    @Test
    void theCommonNameIsTheUserAndEachOrganizationAGroup() throws Exception {
        var chain = List.of(certificate("O=system:nodes,O=ops,CN=system:node:worker-1"));

        var user = authenticator.authenticate(Credentials.certificate(chain));

        assertThat(user).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("system:node:worker-1");
            assertThat(u.groups()).containsExactlyInAnyOrder("system:nodes", "ops", "system:authenticated");
        });
    }

    @Test
    void aCertificateWithoutCommonNameNamesNoUser() throws Exception {
        var chain = List.of(certificate("O=system:masters"));

        assertThat(authenticator.authenticate(Credentials.certificate(chain))).isEmpty();
    }

    @Test
    void eachRememberedCertificateKeepsNamingItsOwnUser() throws Exception {
        var alice = List.of(certificate("O=ops,CN=alice"));
        var bob = List.of(certificate("O=dev,CN=bob"));

        authenticator.authenticate(Credentials.certificate(alice));
        authenticator.authenticate(Credentials.certificate(bob));
        var aliceAgain = authenticator.authenticate(Credentials.certificate(alice)).orElseThrow();
        var bobAgain = authenticator.authenticate(Credentials.certificate(bob)).orElseThrow();

        assertThat(aliceAgain.name()).isEqualTo("alice");
        assertThat(aliceAgain.groups()).containsExactlyInAnyOrder("ops", "system:authenticated");
        assertThat(bobAgain.name()).isEqualTo("bob");
        assertThat(bobAgain.groups()).containsExactlyInAnyOrder("dev", "system:authenticated");
    }

    @Test
    void noCertificateNamesNoUser() {
        assertThat(authenticator.authenticate(Credentials.none())).isEmpty();
    }
}
