package dev.slipway.pki;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * A kubeconfig with one cluster, one user and one context, the CA, client certificate and key
 * embedded (base64), so that the file alone reaches the cluster. Written 0600: it holds a key.
 *
 * @param server the API server URL, e.g. {@code https://10.0.0.10:6443}
 */
public record Kubeconfig(String clusterName, String server, X509Certificate certificateAuthority, String userName,
                         X509Certificate clientCertificate, PrivateKey clientKey, String contextName) {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .build();

    public Kubeconfig {
        Objects.requireNonNull(clusterName, "cluster name");
        Objects.requireNonNull(server, "server URL");
        Objects.requireNonNull(certificateAuthority, "CA certificate");
        Objects.requireNonNull(userName, "user name");
        Objects.requireNonNull(clientCertificate, "client certificate");
        Objects.requireNonNull(clientKey, "client key");
        Objects.requireNonNull(contextName, "context name");
        if (!server.startsWith("https://")) {
            throw new IllegalArgumentException("server URL must start with https://, not " + server);
        }
    }

    /** The usual names: context {@code <user>@<cluster>}. */
    public static Kubeconfig of(String clusterName, String server, X509Certificate certificateAuthority, String userName,
                                TlsIdentity client) {
        return new Kubeconfig(clusterName, server, certificateAuthority, userName, client.certificate(), client.key(),
                userName + "@" + clusterName);
    }

    public String toYaml() {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("certificate-authority-data", base64(Pem.encode(certificateAuthority)));
        cluster.put("server", server);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("client-certificate-data", base64(Pem.encode(clientCertificate)));
        user.put("client-key-data", base64(Pem.encode(clientKey)));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("cluster", clusterName);
        context.put("user", userName);

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("apiVersion", "v1");
        root.put("kind", "Config");
        root.put("clusters", List.of(Map.of("name", clusterName, "cluster", cluster)));
        root.put("users", List.of(Map.of("name", userName, "user", user)));
        root.put("contexts", List.of(Map.of("name", contextName, "context", context)));
        root.put("current-context", contextName);
        root.put("preferences", Map.of());
        return YAML.writeValueAsString(root);
    }

    /** Writes (or atomically replaces) the file with mode 0600. */
    public void write(Path file) {
        SecureFiles.replace(file, toYaml().getBytes(StandardCharsets.UTF_8), SecureFiles.PRIVATE);
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
