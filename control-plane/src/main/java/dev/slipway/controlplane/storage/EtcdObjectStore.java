package dev.slipway.controlplane.storage;

import dev.slipway.pki.Pem;
import dev.slipway.pki.PkiException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ObjectStore} on etcd through jetcd. Keys follow Kubernetes' layout, an object's
 * resourceVersion is its etcd modification revision, writes are transactions that compare
 * revisions, and watches are served by one watch cache per resource.
 */
public final class EtcdObjectStore implements ObjectStore {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdObjectStore.class);

    /**
     * Tuning of the store.
     *
     * @param watchCacheSize   events kept per resource for watches that resume from a recent revision
     * @param watcherBacklog   events a watcher may fall behind before it is closed; keep it above
     *                         {@code watchCacheSize}, or a watcher that replays the whole ring is closed at once
     * @param requestTimeout   how long one etcd request may take before the store answers Unavailable
     * @param progressInterval how often the watch caches ask etcd how far they are (for bookmarks)
     */
    public record Settings(int watchCacheSize, int watcherBacklog, Duration requestTimeout, Duration progressInterval) {

        public Settings {
            if (watchCacheSize < 1 || watcherBacklog < 1) {
                throw new IllegalArgumentException("watch cache size and watcher backlog must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(1024, 2048, Duration.ofSeconds(10), Duration.ofSeconds(5));
        }
    }

    private final Client client;
    private final KV kv;
    private final ValueTransformer transformer;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Map<String, WatchCache> caches = new HashMap<>();

    private EtcdObjectStore(Client client, ValueTransformer transformer, Settings settings) {
        this.client = client;
        this.kv = client.getKVClient();
        this.transformer = transformer;
        this.settings = settings;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("etcd-store").factory());
        long progressMillis = settings.progressInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> client.getWatchClient().requestProgress(), progressMillis, progressMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Connects to every endpoint of {@code connection}; {@code transformer} encrypts what must be encrypted. */
    public static EtcdObjectStore connect(EtcdConnection connection, ValueTransformer transformer, Settings settings) {
        ClientBuilder builder = Client.builder().endpoints(connection.endpoints())
                .connectTimeout(Duration.ofSeconds(5))
                .retryMaxDuration(settings.requestTimeout());
        if (connection.security() instanceof EtcdConnection.MutualTls tls) {
            // No authority override: jetcd then checks each member's certificate against that member's own address.
            builder.sslContext(sslContext(tls));
        }
        return new EtcdObjectStore(builder.build(), transformer, settings);
    }

    public static EtcdObjectStore connect(EtcdConnection connection, ValueTransformer transformer) {
        return connect(connection, transformer, Settings.defaults());
    }

    /** PEM files read by the pki module, so every key form it writes (PKCS#8, SEC1, PKCS#1) works here too. */
    private static SslContext sslContext(EtcdConnection.MutualTls tls) {
        try {
            List<X509Certificate> clientChain = Pem.readCertificates(tls.clientCertPem());
            return GrpcSslContexts.forClient()
                    .trustManager(Pem.readCertificates(tls.caPem()).toArray(X509Certificate[]::new))
                    .keyManager(Pem.readPrivateKey(tls.clientKeyPem()), clientChain.toArray(X509Certificate[]::new))
                    .build();
        } catch (PkiException | SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the etcd client certificate " + tls.clientCertPem() + " with key "
                    + tls.clientKeyPem() + " and CA " + tls.caPem() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public StoredObject create(ObjectKey key, byte[] json) {
        ByteSequence path = bytes(key.path());
        TxnResponse response = await(kv.txn()
                .If(new Cmp(path, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(path, ByteSequence.from(transformer.toStorage(key, json)), PutOption.DEFAULT))
                .commit(), "create " + key, 0);
        if (!response.isSucceeded()) {
            throw new StorageException.AlreadyExists(key);
        }
        long revision = response.getHeader().getRevision();
        return new StoredObject(key, json, revision, revision);
    }

    @Override
    public Optional<StoredObject> get(ObjectKey key) {
        GetResponse response = await(kv.get(bytes(key.path())), "get " + key, 0);
        return response.getKvs().stream().findFirst().map(kv -> decode(key, kv));
    }

    @Override
    public ListPage list(String resource, Optional<String> namespace, ListRequest request) {
        String prefix = ObjectKey.prefix(resource, namespace.orElse(""));
        long revision = request.resourceVersion();
        String start = prefix;
        String what = "list " + prefix;
        if (!request.continueToken().isEmpty()) {
            ContinueToken token = ContinueToken.decode(request.continueToken());
            revision = token.revision();
            start = prefix + token.nextKey();
            what = "continue the list of " + prefix;
        }
        GetOption.Builder option = GetOption.builder().withRange(bytes(prefixEnd(prefix))).withRevision(revision);
        if (request.limit() > 0) {
            option.withLimit(request.limit());
        }
        GetResponse response = await(kv.get(bytes(start), option.build()), what, revision);
        long readAt = revision == 0 ? response.getHeader().getRevision() : revision;
        List<StoredObject> items = new ArrayList<>(response.getKvs().size());
        for (KeyValue kv : response.getKvs()) {
            items.add(decode(ObjectKey.fromPath(resource, kv.getKey().toString(StandardCharsets.UTF_8)), kv));
        }
        if (!response.isMore() || items.isEmpty()) {
            return new ListPage(items, readAt, "", 0);
        }
        String lastKey = items.getLast().key().path();
        String next = lastKey.substring(prefix.length()) + "\0"; // the smallest key after the last one
        return new ListPage(items, readAt, new ContinueToken(readAt, next).encode(), response.getCount() - items.size());
    }

    @Override
    public StoredObject update(ObjectKey key, long expectedModRevision, byte[] json) {
        if (expectedModRevision <= 0) {
            throw new IllegalArgumentException("update of " + key + " needs the resourceVersion it was read at, not " + expectedModRevision);
        }
        ByteSequence path = bytes(key.path());
        TxnResponse response = await(kv.txn()
                .If(new Cmp(path, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(path, ByteSequence.from(transformer.toStorage(key, json)), PutOption.builder().withPrevKV().build()))
                .Else(Op.get(path, GetOption.DEFAULT))
                .commit(), "update " + key, 0);
        if (!response.isSucceeded()) {
            throw missingOrConflict(key, expectedModRevision, response);
        }
        KeyValue previous = response.getPutResponses().getFirst().getPrevKv();
        return new StoredObject(key, json, response.getHeader().getRevision(), previous.getCreateRevision());
    }

    @Override
    public StoredObject delete(ObjectKey key, OptionalLong expectedModRevision) {
        ByteSequence path = bytes(key.path());
        Cmp condition = expectedModRevision.isPresent()
                ? new Cmp(path, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision.getAsLong()))
                : new Cmp(path, Cmp.Op.GREATER, CmpTarget.createRevision(0));
        TxnResponse response = await(kv.txn()
                .If(condition)
                .Then(Op.delete(path, DeleteOption.builder().withPrevKV(true).build()))
                .Else(Op.get(path, GetOption.DEFAULT))
                .commit(), "delete " + key, 0);
        if (!response.isSucceeded()) {
            throw missingOrConflict(key, expectedModRevision.orElse(0), response);
        }
        KeyValue previous = response.getDeleteResponses().getFirst().getPrevKvs().getFirst();
        return new StoredObject(key, transformer.fromStorage(key, previous.getValue().getBytes()),
                response.getHeader().getRevision(), previous.getCreateRevision());
    }

    private static StorageException missingOrConflict(ObjectKey key, long expected, TxnResponse response) {
        List<KeyValue> current = response.getGetResponses().getFirst().getKvs();
        return current.isEmpty()
                ? new StorageException.NotFound(key)
                : new StorageException.Conflict(key, expected, current.getFirst().getModRevision());
    }

    @Override
    public Watch watch(String resource, Optional<String> namespace, long fromRevision, WatchListener listener) {
        if (fromRevision < 0) {
            throw new IllegalArgumentException("watch of " + resource + " from a negative revision " + fromRevision);
        }
        String ns = namespace.orElse("");
        ObjectKey.prefix(resource, ns); // validates the names
        if (fromRevision > 0) {
            requireNotCompacted("watch of " + resource, fromRevision);
        }
        WatchCache cache = cacheOf(resource, fromRevision);
        Optional<Watch> cached = cache.subscribe(ns, fromRevision, listener);
        if (cached.isPresent()) {
            return cached.get();
        }
        // Older than the ring (or the cache just reset): replay what etcd still keeps.
        String description = resource + (ns.isEmpty() ? "" : " in " + ns);
        ListenerQueue queue = new ListenerQueue(description, ns, fromRevision, settings.watcherBacklog(), listener);
        HistoryWatch history = new HistoryWatch(description, queue);
        history.start(new EtcdFeed(client, resource, ObjectKey.prefix(resource, ns), fromRevision, transformer, scheduler, history));
        return queue;
    }

    private WatchCache cacheOf(String resource, long fromRevision) {
        WatchCache started;
        synchronized (caches) {
            WatchCache existing = caches.get(resource);
            if (existing != null && !existing.isClosed()) {
                return existing;
            }
            long start = fromRevision > 0 ? fromRevision : currentRevision();
            started = new WatchCache(resource, start, settings.watchCacheSize(), settings.watcherBacklog(),
                    (after, sink) -> new EtcdFeed(client, resource, ObjectKey.prefix(resource, ""), after, transformer, scheduler, sink),
                    () -> forget(resource));
            caches.put(resource, started);
        }
        started.start();
        return started;
    }

    private void forget(String resource) {
        synchronized (caches) {
            WatchCache cache = caches.get(resource);
            if (cache != null && cache.isClosed()) {
                caches.remove(resource);
            }
        }
    }

    /** A cheap read at {@code revision}: etcd refuses it when that history is compacted. */
    private void requireNotCompacted(String what, long revision) {
        await(kv.get(bytes(ObjectKey.ROOT), GetOption.builder().withRevision(revision).withCountOnly(true).build()), what, revision);
    }

    @Override
    public long currentRevision() {
        return await(kv.get(bytes(ObjectKey.ROOT), GetOption.builder().withCountOnly(true).build()), "read the current revision", 0)
                .getHeader().getRevision();
    }

    /** The newest revision the watch cache of {@code resource} has seen, or empty when no one watches it. */
    public OptionalLong cachedRevision(String resource) {
        synchronized (caches) {
            WatchCache cache = caches.get(resource);
            return cache == null ? OptionalLong.empty() : OptionalLong.of(cache.revision());
        }
    }

    @Override
    public void close() {
        List<WatchCache> open;
        synchronized (caches) {
            open = List.copyOf(caches.values());
            caches.clear();
        }
        open.forEach(WatchCache::close);
        scheduler.shutdownNow();
        client.close();
    }

    private StoredObject decode(ObjectKey key, KeyValue kv) {
        return new StoredObject(key, transformer.fromStorage(key, kv.getValue().getBytes()), kv.getModRevision(), kv.getCreateRevision());
    }

    private <T> T await(CompletableFuture<T> future, String what, long revision) {
        try {
            return future.get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), what, revision);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StorageException.Unavailable(what + ": etcd did not answer within " + settings.requestTimeout().toSeconds() + "s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException.Unavailable(what + ": interrupted", e);
        }
    }

    private StorageException translate(Throwable error, String what, long revision) {
        String message = String.valueOf(error.getMessage());
        if (error instanceof CompactedException compacted) {
            return new StorageException.Expired(what, revision, compacted.getCompactedRevision());
        }
        if (message.contains("required revision has been compacted")) {
            return new StorageException.Expired(what, revision, compactedRevision().orElse(revision + 1));
        }
        if (message.contains("required revision is a future revision")) {
            return new StorageException.Unavailable(what + ": resourceVersion " + revision + " is newer than etcd's newest revision", error);
        }
        if (error instanceof EtcdException etcd) {
            return new StorageException.Unavailable(what + ": etcd answered " + etcd.getErrorCode() + ": " + message, error);
        }
        return new StorageException.Unavailable(what + ": " + message, error);
    }

    /** etcd tells the compacted revision only to a watch that starts before it; ask one. */
    private OptionalLong compactedRevision() {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        WatchOption option = WatchOption.builder().withRevision(1).build();
        try (io.etcd.jetcd.Watch.Watcher probe = client.getWatchClient().watch(bytes(ObjectKey.ROOT + "\0compaction-probe"), option,
                io.etcd.jetcd.Watch.listener(response -> answer.complete(0L), error -> {
                    if (error instanceof CompactedException compacted) {
                        answer.complete(compacted.getCompactedRevision());
                    } else {
                        answer.completeExceptionally(error);
                    }
                }))) {
            long revision = answer.get(2, TimeUnit.SECONDS);
            return revision > 0 ? OptionalLong.of(revision) : OptionalLong.empty();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("could not learn etcd's compacted revision", e);
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** The first key after every key that starts with {@code prefix}. */
    private static String prefixEnd(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }
}
