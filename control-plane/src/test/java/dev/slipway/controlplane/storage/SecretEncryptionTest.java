package dev.slipway.controlplane.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.controlplane.testing.EtcdProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretEncryptionTest {

    private static final String SECRET_JSON = "{\"kind\":\"Secret\",\"data\":{\"password\":\"aHVudGVyMg==\"}}";
    private static EtcdProcess etcd;

    @TempDir
    Path directory;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdProcess.start();
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
    }

    private Path keyFile(String name, String... ids) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String id : ids) {
            text.append("- id: ").append(id).append("\n  secret: ").append(secret(id)).append('\n');
        }
        return Files.writeString(directory.resolve(name), text);
    }

    /** A fixed 32-byte key per id, so that two files can share a key. */
    private static String secret(String id) {
        byte[] bytes = new byte[32];
        byte[] seed = id.getBytes(UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed[i % seed.length] + i);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void secretIsStoredEncryptedAndReadBackDecrypted() throws IOException {
        SecretEncryption encryption = SecretEncryption.load(keyFile("keys.yaml", "key1"));
        try (EtcdObjectStore store = EtcdObjectStore.connect(etcd.connection(), encryption)) {
            ObjectKey key = new ObjectKey("secrets", "default", "db-password");
            store.create(key, SECRET_JSON.getBytes(UTF_8));

            String raw = etcd.rawValue(key.path());

            assertThat(raw).startsWith("k8s:enc:aesgcm:v1:key1:").doesNotContain("aHVudGVyMg").doesNotContain("Secret");
            assertThat(store.get(key).orElseThrow().json()).asString(UTF_8).isEqualTo(SECRET_JSON);
        }
    }

    @Test
    void otherResourcesAreStoredAsTheyAre() throws IOException {
        SecretEncryption encryption = SecretEncryption.load(keyFile("keys.yaml", "key1"));
        try (EtcdObjectStore store = EtcdObjectStore.connect(etcd.connection(), encryption)) {
            ObjectKey key = new ObjectKey("configmaps", "default", "settings");
            store.create(key, "{\"data\":{\"a\":\"b\"}}".getBytes(UTF_8));

            assertThat(etcd.rawValue(key.path())).isEqualTo("{\"data\":{\"a\":\"b\"}}\n");
        }
    }

    @Test
    void afterRotationOldSecretsStillDecryptAndNewOnesUseTheNewKey() throws IOException {
        ObjectKey old = new ObjectKey("secrets", "default", "written-before-rotation");
        ObjectKey fresh = new ObjectKey("secrets", "default", "written-after-rotation");
        try (EtcdObjectStore before = EtcdObjectStore.connect(etcd.connection(), SecretEncryption.load(keyFile("old.yaml", "key1")))) {
            before.create(old, SECRET_JSON.getBytes(UTF_8));
        }

        try (EtcdObjectStore after = EtcdObjectStore.connect(etcd.connection(),
                SecretEncryption.load(keyFile("rotated.yaml", "key2", "key1")))) {
            after.create(fresh, SECRET_JSON.getBytes(UTF_8));

            assertThat(after.get(old).orElseThrow().json()).asString(UTF_8).isEqualTo(SECRET_JSON);
            assertThat(etcd.rawValue(fresh.path())).startsWith("k8s:enc:aesgcm:v1:key2:");
        }
    }

    @Test
    void secretEncryptedWithAKeyNoLongerInTheFileIsUnavailable() throws IOException {
        ObjectKey key = new ObjectKey("secrets", "default", "orphaned");
        try (EtcdObjectStore before = EtcdObjectStore.connect(etcd.connection(), SecretEncryption.load(keyFile("old.yaml", "key1")))) {
            before.create(key, SECRET_JSON.getBytes(UTF_8));
        }

        try (EtcdObjectStore after = EtcdObjectStore.connect(etcd.connection(), SecretEncryption.load(keyFile("new.yaml", "key2")))) {
            assertThatThrownBy(() -> after.get(key))
                    .isInstanceOf(StorageException.Unavailable.class)
                    .hasMessageContaining("key 'key1'").hasMessageContaining(key.path());
        }
    }

    @Test
    void ciphertextMovedToAnotherSecretDoesNotDecrypt() throws IOException {
        SecretEncryption encryption = SecretEncryption.load(keyFile("keys.yaml", "key1"));
        byte[] stored = encryption.toStorage(new ObjectKey("secrets", "team-a", "token"), SECRET_JSON.getBytes(UTF_8));

        assertThatThrownBy(() -> encryption.fromStorage(new ObjectKey("secrets", "team-b", "token"), stored))
                .isInstanceOf(StorageException.Unavailable.class).hasMessageContaining("does not decrypt");
    }

    @Test
    void tamperedCiphertextDoesNotDecrypt() throws IOException {
        SecretEncryption encryption = SecretEncryption.load(keyFile("keys.yaml", "key1"));
        ObjectKey key = new ObjectKey("secrets", "default", "token");
        byte[] stored = encryption.toStorage(key, SECRET_JSON.getBytes(UTF_8));
        stored[stored.length - 1] ^= 1;

        assertThatThrownBy(() -> encryption.fromStorage(key, stored)).isInstanceOf(StorageException.Unavailable.class);
    }

    @Test
    void generatedKeyFileIsPrivateAndLoads() throws IOException {
        Path file = directory.resolve("cluster/encryption.yaml");

        SecretEncryption.generateKeyFile(file, "initial");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SecretEncryption.load(file).keyIds()).containsExactly("initial");
    }

    @Test
    void generatingOverAnExistingKeyFileIsRefused() throws IOException {
        Path file = keyFile("keys.yaml", "key1");
        String before = Files.readString(file);

        assertThatThrownBy(() -> SecretEncryption.generateKeyFile(file, "other"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already exists");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void jsonKeyFileLoads() throws IOException {
        Path file = Files.writeString(directory.resolve("keys.json"),
                "[{\"id\":\"a\",\"secret\":\"" + secret("a") + "\"},{\"id\":\"b\",\"secret\":\"" + secret("b") + "\"}]");

        assertThat(SecretEncryption.load(file).keyIds()).containsExactly("a", "b");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "empty list            | []                                                  | non-empty list",
            "not a list            | 'id: a'                                             | non-empty list",
            "secret not base64     | '[{\"id\":\"a\",\"secret\":\"%%%\"}]'               | entry 1 (id a): secret is not base64",
            "secret of 16 bytes    | '[{\"id\":\"a\",\"secret\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}]' | must be 32 bytes for AES-256, not 16",
            "missing id            | '[{\"secret\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}]'       | entry 1: id '' must be",
            "id with a colon       | '[{\"id\":\"a:b\",\"secret\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}]' | id 'a:b' must be",
            "duplicate id          | '[{\"id\":\"a\",\"secret\":\"KEY\"},{\"id\":\"a\",\"secret\":\"KEY\"}]' | entry 2: id 'a' appears twice",
            "not YAML              | '[unclosed'                                         | not valid YAML or JSON",
    })
    void badKeyFileIsRefusedNamingTheFileAndEntry(String caseName, String content, String message) throws IOException {
        Path file = Files.writeString(directory.resolve("bad.yaml"), content.replace("KEY", secret("a")));

        assertThatThrownBy(() -> SecretEncryption.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(message);
    }

    @Test
    void secretsListedThroughTheStoreAreDecrypted() throws IOException {
        SecretEncryption encryption = SecretEncryption.load(keyFile("keys.yaml", "key1"));
        try (EtcdObjectStore store = EtcdObjectStore.connect(etcd.connection(), encryption)) {
            store.create(new ObjectKey("secrets", "listed", "one"), SECRET_JSON.getBytes(UTF_8));

            assertThat(store.list("secrets", Optional.of("listed"), ListRequest.all()).items())
                    .singleElement().satisfies(o -> assertThat(o.json()).asString(UTF_8).isEqualTo(SECRET_JSON));
        }
    }
}
