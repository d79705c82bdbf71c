package dev.slipway.controlplane.auth;

import dev.slipway.controlplane.storage.EtcdObjectStore;
import dev.slipway.controlplane.storage.ObjectStore;
import dev.slipway.controlplane.storage.ValueTransformer;
import dev.slipway.controlplane.testing.EtcdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the access-control tests against a real etcd start from: etcd, an object store on it, and a
 * service-account key pair as PEM files ({@code saPub}, {@code saKey}) in a temporary directory.
 * Closing stops the store and etcd and removes the directory.
 */
final class AuthStorage implements AutoCloseable {

    private final EtcdProcess etcd;
    private final ObjectStore store;
    private final Path directory;

    private AuthStorage(EtcdProcess etcd, ObjectStore store, Path directory) {
        this.etcd = etcd;
        this.store = store;
        this.directory = directory;
    }

    static AuthStorage start() throws IOException, GeneralSecurityException {
        Path directory = Files.createTempDirectory("slipway-auth-");
        KeyPair saKeys = ServiceAccountTokenTest.rsaKeys();
        ServiceAccountTokenTest.writePem(directory.resolve("sa.pub"), "PUBLIC KEY", saKeys.getPublic().getEncoded());
        ServiceAccountTokenTest.writePem(directory.resolve("sa.key"), "PRIVATE KEY", saKeys.getPrivate().getEncoded());
        EtcdProcess etcd = EtcdProcess.start();
        try {
            return new AuthStorage(etcd, EtcdObjectStore.connect(etcd.connection(), ValueTransformer.IDENTITY), directory);
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
    }

    ObjectStore store() {
        return store;
    }

    Path saPub() {
        return directory.resolve("sa.pub");
    }

    Path saKey() {
        return directory.resolve("sa.key");
    }

    @Override
    public void close() {
        try {
            store.close();
        } finally {
            etcd.close();
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // temp files; the OS cleans up eventually
            }
        }
    }
}
