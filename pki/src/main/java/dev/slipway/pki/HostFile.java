package dev.slipway.pki;

/**
 * One PKI file a host receives: where it is in the cluster's PKI folder and where it goes under the
 * host's {@code <root>/etc/slipway/pki/} (a host knows its own certificates by role, e.g.
 * {@code etcd/server.crt}, not by member name).
 *
 * @param source  path relative to the cluster's PKI folder, e.g. {@code etcd/server-m1.crt}
 * @param target  path relative to the host's PKI folder, e.g. {@code etcd/server.crt}
 * @param secret  a private key: written 0600
 */
public record HostFile(String source, String target, boolean secret) {

    static HostFile same(String path, boolean secret) {
        return new HostFile(path, path, secret);
    }
}
