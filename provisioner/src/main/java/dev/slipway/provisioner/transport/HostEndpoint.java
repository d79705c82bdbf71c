package dev.slipway.provisioner.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one host over SSH. Paths are already resolved (no {@code ~}, absolute or relative
 * to the working directory); the CLI maps inventory hosts to endpoints.
 *
 * @param name           the host's name in the inventory, used in every message
 * @param address        IP address or DNS name; also the name looked up in the known-hosts file
 * @param port           SSH port ({@code [address]:port} in known-hosts when not 22)
 * @param user           login user; a user other than root runs commands through {@code sudo -n}
 * @param identityFile   OpenSSH private key (ed25519, ecdsa or rsa, as ssh-keygen writes it)
 * @param knownHostsFile OpenSSH known-hosts file (plain or hashed entries)
 * @param hostKeyPolicy  what to do with an unknown host key
 * @param connectTimeout bound of one connection attempt, including key exchange and login
 */
public record HostEndpoint(String name, String address, int port, String user, Path identityFile,
                           Path knownHostsFile, HostKeyPolicy hostKeyPolicy, Duration connectTimeout) {

    public static final int DEFAULT_PORT = 22;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public HostEndpoint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(identityFile, "identityFile");
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
        Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (name.isBlank() || address.isBlank() || user.isBlank()) {
            throw new IllegalArgumentException("host '" + name + "': name, address and user must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("host '" + name + "': port " + port + " is outside 1..65535");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("host '" + name + "': connectTimeout must be positive, got " + connectTimeout);
        }
    }

    /** {@code address} or {@code address:port} when the port is not 22, as messages show it. */
    public String displayAddress() {
        return port == DEFAULT_PORT ? address : address + ":" + port;
    }

    /** Whether commands need {@code sudo -n} to act as root. */
    public boolean needsSudo() {
        return !"root".equals(user);
    }
}
