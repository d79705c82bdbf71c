package dev.slipway.controlplane.apiserver;

import dev.slipway.controlplane.storage.EtcdConnection;
import java.nio.file.Path;

/**
 * How an API server runs.
 *
 * @param bindAddress             the address to listen on, e.g. 0.0.0.0 or 127.0.0.1
 * @param port                    6443 normally; 0 picks a free port (tests)
 * @param servingCertPem          the serving certificate (chain) PEM
 * @param servingKeyPem           its private key PEM (PKCS#1, SEC1 or PKCS#8)
 * @param clientCaPem             the CA that client certificates must chain to; clients without one may use tokens
 * @param etcd                    how to reach etcd
 * @param encryptionKeyFile       the key file that encrypts Secrets at rest
 * @param serviceCidr             where service cluster IPs come from, e.g. 10.96.0.0/12
 * @param nodePortFirst           first node port, normally 30000
 * @param nodePortLast            last node port, normally 32767
 * @param serviceAccountPublicKey the public key PEM that verifies service-account tokens
 * @param kubeletClientCertPem    the client certificate for kubelets (pods/log, pods/exec); read on first use
 * @param kubeletClientKeyPem     its private key PEM
 */
public record ApiServerConfig(String bindAddress, int port, Path servingCertPem, Path servingKeyPem, Path clientCaPem,
                              EtcdConnection etcd, Path encryptionKeyFile, String serviceCidr, int nodePortFirst,
                              int nodePortLast, Path serviceAccountPublicKey, Path kubeletClientCertPem,
                              Path kubeletClientKeyPem) {

    public static final int DEFAULT_PORT = 6443;
    public static final String DEFAULT_SERVICE_CIDR = "10.96.0.0/12";
    private static final String KUBELET_CLIENT = "apiserver-kubelet-client";

    public ApiServerConfig {
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("API server bind address is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("API server port " + port + " is not between 0 and 65535");
        }
        if (servingCertPem == null || servingKeyPem == null || clientCaPem == null || etcd == null || encryptionKeyFile == null
                || serviceAccountPublicKey == null || serviceCidr == null) {
            throw new IllegalArgumentException("API server configuration lacks a file or the etcd connection");
        }
        if (nodePortFirst < 1 || nodePortLast > 65535 || nodePortFirst > nodePortLast) {
            throw new IllegalArgumentException("node port range " + nodePortFirst + "-" + nodePortLast + " is not a valid port range");
        }
        if (kubeletClientCertPem == null || kubeletClientKeyPem == null) {
            throw new IllegalArgumentException("API server configuration lacks the kubelet client certificate or key path");
        }
    }

    /** The kubelet client pair where kubeadm keeps it: {@code apiserver-kubelet-client.{crt,key}} beside the serving certificate. */
    public ApiServerConfig(String bindAddress, int port, Path servingCertPem, Path servingKeyPem, Path clientCaPem,
                           EtcdConnection etcd, Path encryptionKeyFile, String serviceCidr, int nodePortFirst,
                           int nodePortLast, Path serviceAccountPublicKey) {
        this(bindAddress, port, servingCertPem, servingKeyPem, clientCaPem, etcd, encryptionKeyFile, serviceCidr, nodePortFirst,
                nodePortLast, serviceAccountPublicKey, servingCertPem.resolveSibling(KUBELET_CLIENT + ".crt"),
                servingCertPem.resolveSibling(KUBELET_CLIENT + ".key"));
    }

    /** The usual settings: port 6443, service CIDR 10.96.0.0/12, node ports 30000-32767. */
    public static ApiServerConfig standard(String bindAddress, Path servingCertPem, Path servingKeyPem, Path clientCaPem,
                                           EtcdConnection etcd, Path encryptionKeyFile, Path serviceAccountPublicKey) {
        return new ApiServerConfig(bindAddress, DEFAULT_PORT, servingCertPem, servingKeyPem, clientCaPem, etcd, encryptionKeyFile,
                DEFAULT_SERVICE_CIDR, 30000, 32767, serviceAccountPublicKey);
    }

    /**
     * The key that signs service-account tokens ({@code kubectl create token}): beside the public key
     * with {@code .key} for its extension, as kubeadm keeps {@code sa.key} and {@code sa.pub}.
     */
    public Path serviceAccountSigningKey() {
        String name = serviceAccountPublicKey.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return serviceAccountPublicKey.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".key");
    }

    public ApiServerConfig withPort(int newPort) {
        return new ApiServerConfig(bindAddress, newPort, servingCertPem, servingKeyPem, clientCaPem, etcd, encryptionKeyFile,
                serviceCidr, nodePortFirst, nodePortLast, serviceAccountPublicKey, kubeletClientCertPem, kubeletClientKeyPem);
    }

    public ApiServerConfig withKubeletClient(Path certPem, Path keyPem) {
        return new ApiServerConfig(bindAddress, port, servingCertPem, servingKeyPem, clientCaPem, etcd, encryptionKeyFile,
                serviceCidr, nodePortFirst, nodePortLast, serviceAccountPublicKey, certPem, keyPem);
    }
}
