package dev.slipway.provisioner.transport;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.AbstractClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * One MINA SSHD client (and its I/O threads) for all hosts of this process, started when the
 * first connection opens and stopped when the last one closes. Nothing of the operator's
 * {@code ~/.ssh} (config, default keys, agent) is used: every setting comes from the endpoint.
 */
final class SharedSshClient {

    /** Per-connection settings that must be in place before key exchange starts. */
    record Connection(HostEndpoint endpoint, KnownHostsCheck hostKeyCheck) { }

    static final AttributeKey<Connection> CONNECTION = new AttributeKey<>();

    private static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(15);
    private static final int KEEPALIVE_MISSES = 4;

    private static SshClient client;
    private static int users;

    private SharedSshClient() {
    }

    static synchronized SshClient acquire() {
        if (client == null) {
            client = newClient();
            client.start();
        }
        users++;
        return client;
    }

    static synchronized void release() {
        if (--users == 0 && client != null) {
            client.stop();
            client = null;
        }
    }

    static AttributeRepository contextFor(Connection connection) {
        return AttributeRepository.ofKeyValuePair(CONNECTION, connection);
    }

    private static SshClient newClient() {
        SshClient ssh = SshClient.setUpDefaultClient();
        ssh.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        ssh.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        ssh.setFilePasswordProvider(FilePasswordProvider.EMPTY);
        ssh.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        // Every session gets its own check below; a session without one trusts nothing.
        ssh.setServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(ssh, KEEPALIVE_INTERVAL);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(ssh, KEEPALIVE_MISSES);
        // Keepalives find dead hosts; an idle but healthy connection stays open for the next phase.
        CoreModuleProperties.IDLE_TIMEOUT.set(ssh, Duration.ZERO);
        ssh.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                if (session instanceof AbstractClientSession clientSession
                        && clientSession.getConnectionContext() != null) {
                    Connection connection = clientSession.getConnectionContext().getAttribute(CONNECTION);
                    if (connection != null) {
                        clientSession.setServerKeyVerifier(connection.hostKeyCheck());
                        preferKnownKeyTypes(clientSession, KnownHostsCheck.knownKeyTypes(connection.endpoint()));
                    }
                }
            }
        });
        return ssh;
    }

    /**
     * Asks first for host key types the known-hosts file holds, as OpenSSH does; otherwise a host
     * known by its ed25519 key that offers ecdsa first would look like a changed key.
     */
    private static void preferKnownKeyTypes(AbstractClientSession session, Set<String> knownTypes) {
        if (knownTypes.isEmpty()) {
            return;
        }
        List<NamedFactory<Signature>> ordered = session.getSignatureFactories().stream()
                .sorted(Comparator.comparing(factory -> knownTypes.contains(keyTypeOf(factory.getName())) ? 0 : 1))
                .toList();
        session.setSignatureFactories(ordered);
    }

    /** rsa-sha2-256 and rsa-sha2-512 sign with an ssh-rsa key; every other algorithm names its key type. */
    private static String keyTypeOf(String signatureAlgorithm) {
        return signatureAlgorithm.startsWith("rsa-sha2-") ? "ssh-rsa" : signatureAlgorithm;
    }
}
