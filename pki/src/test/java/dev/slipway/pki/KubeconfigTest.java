package dev.slipway.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin kubeconfig as the real kubectl reads it. */
class KubeconfigTest {

    private static final String KUBECTL = "/usr/bin/kubectl";

    @TempDir
    Path dir;

    private Path pki;
    private Kubeconfig kubeconfig;

    @BeforeEach
    void givenAnAdminKubeconfig() {
        pki = dir.resolve("pki");
        CertificateCatalogue catalogue = CertificateCatalogue.of(TestTopologies.threeMasters());
        PkiDirectory directory = PkiDirectory.at(pki);
        directory.ensure(catalogue);
        kubeconfig = Kubeconfig.of("lab", "https://127.0.10.1:6443", Pem.readCertificate(pki.resolve("ca.crt")),
                "kubernetes-admin", directory.identity(catalogue.get("admin")));
    }

    @Test
    void kubectlReadsServerNamesAndEmbeddedCredentials() throws IOException {
        Path file = dir.resolve("admin.kubeconfig");
        kubeconfig.write(file);

        String server = kubectl(file, "config", "view", "--raw", "-o", "jsonpath={.clusters[0].cluster.server}");
        String context = kubectl(file, "config", "current-context");
        String user = kubectl(file, "config", "view", "--raw", "-o", "jsonpath={.contexts[0].context.user}");
        String ca = kubectl(file, "config", "view", "--raw", "-o", "jsonpath={.clusters[0].cluster.certificate-authority-data}");
        String key = kubectl(file, "config", "view", "--raw", "-o", "jsonpath={.users[0].user.client-key-data}");
        String certificate = kubectl(file, "config", "view", "--raw", "-o", "jsonpath={.users[0].user.client-certificate-data}");

        assertThat(server).isEqualTo("https://127.0.10.1:6443");
        assertThat(context).isEqualTo("kubernetes-admin@lab");
        assertThat(user).isEqualTo("kubernetes-admin");
        assertThat(decode(ca)).isEqualTo(Files.readString(pki.resolve("ca.crt")));
        assertThat(decode(certificate)).isEqualTo(Files.readString(pki.resolve("admin.crt")));
        assertThat(decode(key)).isEqualTo(Files.readString(pki.resolve("admin.key")));
    }

    @Test
    void theFileIsOnlyForItsOwner() throws IOException {
        Path file = dir.resolve("admin.kubeconfig");

        kubeconfig.write(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void writingAgainReplacesTheFileWhole() throws IOException {
        Path file = dir.resolve("admin.kubeconfig");
        Files.writeString(file, "old content that is longer than nothing\n".repeat(200));

        kubeconfig.write(file);

        assertThat(Files.readString(file)).isEqualTo(kubeconfig.toYaml()).doesNotContain("old content");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("pki", "admin.kubeconfig");
        }
    }

    @Test
    void aPlainHttpServerIsRefused() {
        assertThatThrownBy(() -> new Kubeconfig("lab", "http://127.0.10.1:6443", kubeconfig.certificateAuthority(),
                "u", kubeconfig.clientCertificate(), kubeconfig.clientKey(), "c"))
                .hasMessageContaining("https://");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    private static String kubectl(Path kubeconfig, String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(KUBECTL));
        command.addAll(List.of(arguments));
        Openssl result = Openssl.exec(command, Map.of("KUBECONFIG", kubeconfig.toString()));
        assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.output()).isZero();
        return result.output().trim();
    }
}
