package dev.slipway.controlplane.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.slipway.pki.Pem;
import dev.slipway.pki.PkiException;
import dev.slipway.pki.TlsIdentity;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.etcd.jetcd.common.exception.CompactedException;
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
 * {@link ObjectStore} on etcd. Keys follow Kubernetes' layout, an object's resourceVersion is its
 * etcd modification revision, writes are transactions that compare revisions, and watches are
 * served by one watch cache per resource. Reads and writes go through {@link EtcdKv} (plain gRPC
 * stubs, decision 0013), watches through jetcd.
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
     * @param watchIndexes     by resource, how its watchers are found for an event (none: each is asked)
     * @param recentObjects    how many objects' newest states are kept as first guesses for read-modify-writes
     */
    public record Settings(int watchCacheSize, int watcherBacklog, Duration requestTimeout, Map<String, WatchIndex> watchIndexes,
                           int recentObjects) {

        /** Room for the objects that change often in a cluster of a few thousand pods (pods, nodes, leases, workloads). */
        static final int RECENT_OBJECTS = 20_000;

        public Settings {
            if (watchCacheSize < 1 || watcherBacklog < 1 || recentObjects < 1) {
                throw new IllegalArgumentException("watch cache size, watcher backlog and recent objects must be positive");
            }
            watchIndexes = Map.copyOf(watchIndexes);
        }

        public Settings(int watchCacheSize, int watcherBacklog, Duration requestTimeout) {
            this(watchCacheSize, watcherBacklog, requestTimeout, Map.of(), RECENT_OBJECTS);
        }

        public static Settings defaults() {
            return new Settings(1024, 2048, Duration.ofSeconds(10));
        }

        /** These settings with the watchers of {@code resource} found by {@code index}. */
        public Settings withWatchIndex(String resource, WatchIndex index) {
            Map<String, WatchIndex> next = new HashMap<>(watchIndexes);
            next.put(resource, index);
            return new Settings(watchCacheSize, watcherBacklog, requestTimeout, next, recentObjects);
        }
    }

    private final Client client;
    private final EtcdKv kv;
    private final ValueTransformer transformer;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Map<String, WatchCache> caches = new HashMap<>();
    private final RecentObjects recent;

    private EtcdObjectStore(Client client, EtcdKv kv, ValueTransformer transformer, Settings settings) {
        this.client = client;
        this.kv = kv;
        this.transformer = transformer;
        this.settings = settings;
        this.recent = new RecentObjects(settings.recentObjects());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("etcd-store").factory());
    }

    /** Connects to every endpoint of {@code connection}; {@code transformer} encrypts what must be encrypted. */
    public static EtcdObjectStore connect(EtcdConnection connection, ValueTransformer transformer, Settings settings) {
        Duration connectTimeout = Duration.ofSeconds(5);
        ClientBuilder builder = Client.builder().endpoints(connection.endpoints())
                .connectTimeout(connectTimeout)
                .retryMaxDuration(settings.requestTimeout());
        // No authority override: jetcd's resolver then checks each member's certificate against that member's own address.
        EtcdKv kv = switch (connection.security()) {
            case EtcdConnection.MutualTls mutualTls -> {
                SslContext tls = sslContext(mutualTls);
                builder.sslContext(tls);
                yield EtcdKv.overTls(builder.target(), tls, connectTimeout, settings.requestTimeout());
            }
            case EtcdConnection.Plaintext plaintext -> EtcdKv.plaintext(builder.target(), connectTimeout, settings.requestTimeout());
        };
        try {
            return new EtcdObjectStore(builder.build(), kv, transformer, settings);
        } catch (RuntimeException e) {
            kv.close();
            throw e;
        }
    }

    public static EtcdObjectStore connect(EtcdConnection connection, ValueTransformer transformer) {
        return connect(connection, transformer, Settings.defaults());
    }

    /** PEM files read by the pki module, so every key form it writes (PKCS#8, SEC1, PKCS#1) works here too. */
    private static SslContext sslContext(EtcdConnection.MutualTls tls) {
        try {
            return GrpcSslContexts.forClient()
                    .trustManager(Pem.readCertificates(tls.caPem()).toArray(X509Certificate[]::new))
                    // Not Netty's keyManager(key, chain): it wraps the key in a key store at the JDK's costly default.
                    .keyManager(TlsIdentity.load(tls.clientCertPem(), tls.clientKeyPem()).keyManagerFactory())
                    .build();
        } catch (PkiException | SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use the etcd client certificate " + tls.clientCertPem() + " with key "
                    + tls.clientKeyPem() + " and CA " + tls.caPem() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public StoredObject create(ObjectKey key, byte[] json) {
        ByteString path = key(key.path());
        TxnResponse response = txn(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(path).setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(path)
                        .setValue(UnsafeByteOperations.unsafeWrap(transformer.toStorage(key, json)))))
                .build(), "create " + key);
        if (!response.getSucceeded()) {
            throw new StorageException.AlreadyExists(key);
        }
        long revision = response.getHeader().getRevision();
        return saw(new StoredObject(key, json, revision, revision));
    }

    @Override
    public Optional<StoredObject> get(ObjectKey key) {
        RangeResponse response = range(RangeRequest.newBuilder().setKey(key(key.path())).build(), "get " + key, 0);
        Optional<StoredObject> found = response.getKvsList().stream().findFirst().map(kv -> saw(decode(key, kv)));
        if (found.isEmpty()) {
            recent.forget(key);
        }
        return found;
    }

    @Override
    public Optional<StoredObject> recent(ObjectKey key) {
        return recent.get(key);
    }

    private StoredObject saw(StoredObject object) {
        recent.saw(object);
        return object;
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
        RangeRequest.Builder range = RangeRequest.newBuilder().setKey(key(start)).setRangeEnd(key(prefixEnd(prefix))).setRevision(revision);
        if (request.limit() > 0) {
            range.setLimit(request.limit());
        }
        RangeResponse response = range(range.build(), what, revision);
        long readAt = revision == 0 ? response.getHeader().getRevision() : revision;
        List<StoredObject> items = new ArrayList<>(response.getKvsCount());
        for (KeyValue kv : response.getKvsList()) {
            items.add(decode(ObjectKey.fromPath(resource, kv.getKey().toStringUtf8()), kv));
        }
        if (!response.getMore() || items.isEmpty()) {
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
        ByteString path = key(key.path());
        TxnResponse response = txn(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(path).setTarget(Compare.CompareTarget.MOD)
                        .setResult(Compare.CompareResult.EQUAL).setModRevision(expectedModRevision))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(path)
                        .setValue(UnsafeByteOperations.unsafeWrap(transformer.toStorage(key, json))).setPrevKv(true)))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(path)))
                .build(), "update " + key);
        if (!response.getSucceeded()) {
            throw missingOrConflict(key, expectedModRevision, response);
        }
        KeyValue previous = response.getResponses(0).getResponsePut().getPrevKv();
        return saw(new StoredObject(key, json, response.getHeader().getRevision(), previous.getCreateRevision()));
    }

    @Override
    public StoredObject delete(ObjectKey key, OptionalLong expectedModRevision) {
        ByteString path = key(key.path());
        Compare.Builder condition = Compare.newBuilder().setKey(path);
        if (expectedModRevision.isPresent()) {
            condition.setTarget(Compare.CompareTarget.MOD).setResult(Compare.CompareResult.EQUAL).setModRevision(expectedModRevision.getAsLong());
        } else {
            condition.setTarget(Compare.CompareTarget.CREATE).setResult(Compare.CompareResult.GREATER).setCreateRevision(0);
        }
        TxnResponse response = txn(TxnRequest.newBuilder()
                .addCompare(condition)
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(path).setPrevKv(true)))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(path)))
                .build(), "delete " + key);
        if (!response.getSucceeded()) {
            throw missingOrConflict(key, expectedModRevision.orElse(0), response);
        }
        KeyValue previous = response.getResponses(0).getResponseDeleteRange().getPrevKvs(0);
        recent.deleted(key, response.getHeader().getRevision());
        return new StoredObject(key, transformer.fromStorage(key, previous.getValue().toByteArray()),
                response.getHeader().getRevision(), previous.getCreateRevision());
    }

    /** The failure of a compare on {@code key}; the failed transaction's read tells which, and is the newest state known. */
    private StorageException missingOrConflict(ObjectKey key, long expected, TxnResponse response) {
        List<KeyValue> current = response.getResponses(0).getResponseRange().getKvsList();
        if (current.isEmpty()) {
            recent.forget(key);
            return new StorageException.NotFound(key);
        }
        saw(decode(key, current.getFirst()));
        return new StorageException.Conflict(key, expected, current.getFirst().getModRevision());
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
                    Optional.ofNullable(settings.watchIndexes().get(resource)), recent::heard,
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
        range(RangeRequest.newBuilder().setKey(key(ObjectKey.ROOT)).setRevision(revision).setCountOnly(true).build(), what, revision);
    }

    @Override
    public long currentRevision() {
        return range(RangeRequest.newBuilder().setKey(key(ObjectKey.ROOT)).setCountOnly(true).build(), "read the current revision", 0)
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
        kv.close();
        client.close();
    }

    private StoredObject decode(ObjectKey key, KeyValue kv) {
        return new StoredObject(key, transformer.fromStorage(key, kv.getValue().toByteArray()), kv.getModRevision(), kv.getCreateRevision());
    }

    private RangeResponse range(RangeRequest request, String what, long revision) {
        try {
            return kv.range(request);
        } catch (EtcdKv.Failure e) {
            throw translate(e, what, revision);
        }
    }

    private TxnResponse txn(TxnRequest request, String what) {
        try {
            return kv.txn(request);
        } catch (EtcdKv.Failure e) {
            throw translate(e, what, 0);
        }
    }

    private StorageException translate(EtcdKv.Failure failure, String what, long revision) {
        String message = failure.getMessage();
        if (failure.timedOut()) {
            return new StorageException.Unavailable(what + ": etcd did not answer within " + settings.requestTimeout().toSeconds() + "s", failure);
        }
        if (failure.interrupted()) {
            Thread.currentThread().interrupt();
            return new StorageException.Unavailable(what + ": interrupted", failure);
        }
        if (message.contains("required revision has been compacted")) {
            return new StorageException.Expired(what, revision, compactedRevision().orElse(revision + 1));
        }
        if (message.contains("required revision is a future revision")) {
            return new StorageException.Unavailable(what + ": resourceVersion " + revision + " is newer than etcd's newest revision", failure);
        }
        return new StorageException.Unavailable(what + ": etcd answered " + failure.status().getCode() + ": " + message, failure);
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

    private static ByteString key(String text) {
        return ByteString.copyFromUtf8(text);
    }

    /** The first key after every key that starts with {@code prefix}. */
    private static String prefixEnd(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }
}
