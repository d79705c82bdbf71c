package dev.slipway.controlplane.storage;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * How to reach etcd: every member's client URL (the client balances across them and fails over)
 * and how to secure the connection.
 */
public record EtcdConnection(List<URI> endpoints, Security security) {

    public EtcdConnection {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd connection needs at least one endpoint");
        }
        for (URI endpoint : endpoints) {
            String expected = security instanceof MutualTls ? "https" : "http";
            if (!expected.equals(endpoint.getScheme()) || endpoint.getHost() == null || endpoint.getPort() < 0) {
                throw new IllegalArgumentException("etcd endpoint '" + endpoint + "' must look like " + expected
                        + "://host:port" + (expected.equals("https") ? " (TLS is configured)" : " (no TLS is configured)"));
            }
        }
    }

    /** Plain connection: for tests on loopback only. */
    public static EtcdConnection plaintext(List<URI> endpoints) {
        return new EtcdConnection(endpoints, new Plaintext());
    }

    public static EtcdConnection mutualTls(List<URI> endpoints, Path caPem, Path clientCertPem, Path clientKeyPem) {
        return new EtcdConnection(endpoints, new MutualTls(caPem, clientCertPem, clientKeyPem));
    }

    public sealed interface Security {
    }

    public record Plaintext() implements Security {
    }

    /** TLS that verifies etcd against {@code caPem} and authenticates with a client certificate (PEM files, key in PKCS#8 or PKCS#1). */
    public record MutualTls(Path caPem, Path clientCertPem, Path clientKeyPem) implements Security {
    }
}
