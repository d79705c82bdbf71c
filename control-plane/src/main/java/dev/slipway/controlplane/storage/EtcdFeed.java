package dev.slipway.controlplane.storage;

import dev.slipway.controlplane.Backoff;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An etcd watch on one key prefix that survives connection errors: after any error it opens a new
 * etcd watch from the revision after the last one it delivered, so no event is lost or repeated.
 * Only compaction of that revision ends it ({@link Sink#compacted}).
 *
 * <p>Progress comes only from etcd's own periodic notifications (etcd's
 * {@code --experimental-watch-progress-notify-interval}), which etcd sends to a watch only once it
 * has caught up with the history it was created from. The store never asks for progress: etcd 3.4
 * before 3.4.24 answers such a request at once with its newest revision, even to a watch still
 * replaying older events (etcd issue 15220), and believing it would drop them.
 */
final class EtcdFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdFeed.class);
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));

    interface Sink {
        /** Events in revision order; called from one thread at a time. */
        void events(List<WatchEvent> events);

        /** etcd says nothing under the prefix changed up to {@code revision}. */
        void progress(long revision);

        /** etcd no longer has the history the feed needs; the feed has stopped. */
        void compacted(long compactedRevision);
    }

    private final Client client;
    private final String resource;
    private final String prefix;
    private final ValueTransformer transformer;
    private final ScheduledExecutorService scheduler;
    private final Sink sink;

    private long lastRevision; // every event up to this revision has been delivered
    private long lastEventRevision; // the newest event delivered; only events after it are repeats
    private int generation; // which jetcd watcher is current; callbacks of older ones are ignored
    private io.etcd.jetcd.Watch.Watcher watcher;
    private int failures; // watches that failed since etcd last answered one
    private boolean closed;

    EtcdFeed(Client client, String resource, String prefix, long afterRevision, ValueTransformer transformer,
             ScheduledExecutorService scheduler, Sink sink) {
        this.client = client;
        this.resource = resource;
        this.prefix = prefix;
        this.transformer = transformer;
        this.scheduler = scheduler;
        this.sink = sink;
        this.lastRevision = afterRevision;
        this.lastEventRevision = afterRevision;
    }

    void start() {
        open();
    }

    private void open() {
        int current;
        long from;
        synchronized (this) {
            if (closed) {
                return;
            }
            current = ++generation;
            from = lastRevision + 1;
        }
        ByteSequence key = ByteSequence.from(prefix, StandardCharsets.UTF_8);
        WatchOption option = WatchOption.builder().isPrefix(true).withPrevKV(true).withProgressNotify(true)
                .withCreateNotify(true).withRevision(from).build();
        io.etcd.jetcd.Watch.Watcher opened;
        try {
            opened = client.getWatchClient().watch(key, option, io.etcd.jetcd.Watch.listener(
                    response -> onNext(current, response), error -> onError(current, error), () -> { }));
        } catch (RuntimeException e) {
            onError(current, e);
            return;
        }
        boolean stale;
        synchronized (this) {
            stale = closed || current != generation;
            if (!stale) {
                watcher = opened;
            }
        }
        if (stale) {
            opened.close();
        }
    }

    private void onNext(int from, WatchResponse response) {
        synchronized (this) {
            if (closed || from != generation) {
                return;
            }
            failures = 0;
            if (response.isCreatedNotify()) {
                return; // its revision is etcd's newest, not how far this watch has replayed
            }
            if (response.getEvents().isEmpty()) {
                long revision = response.getHeader().getRevision();
                if (revision > lastRevision) {
                    lastRevision = revision;
                    sink.progress(revision);
                }
                return;
            }
            List<WatchEvent> events = new ArrayList<>(response.getEvents().size());
            for (io.etcd.jetcd.watch.WatchEvent event : response.getEvents()) {
                long revision = event.getKeyValue().getModRevision();
                if (revision <= lastEventRevision) {
                    continue;
                }
                convert(event).ifPresent(events::add);
                lastEventRevision = revision;
                lastRevision = Math.max(lastRevision, revision);
            }
            if (!events.isEmpty()) {
                sink.events(events);
            }
        }
    }

    private Optional<WatchEvent> convert(io.etcd.jetcd.watch.WatchEvent event) {
        KeyValue kv = event.getKeyValue();
        String path = kv.getKey().toString(StandardCharsets.UTF_8);
        try {
            ObjectKey key = ObjectKey.fromPath(resource, path);
            return Optional.of(switch (event.getEventType()) {
                case PUT -> {
                    StoredObject object = new StoredObject(key, transformer.fromStorage(key, kv.getValue().getBytes()),
                            kv.getModRevision(), kv.getCreateRevision());
                    if (kv.getCreateRevision() == kv.getModRevision()) {
                        yield new WatchEvent.Added(object);
                    }
                    KeyValue before = event.getPrevKV();
                    boolean known = before != null && !before.getValue().isEmpty();
                    yield new WatchEvent.Modified(object, known ? new StoredObject(key, transformer.fromStorage(key, before.getValue().getBytes()),
                            before.getModRevision(), before.getCreateRevision()) : null);
                }
                case DELETE -> {
                    KeyValue previous = event.getPrevKV();
                    boolean known = previous != null && !previous.getValue().isEmpty();
                    byte[] json = known ? transformer.fromStorage(key, previous.getValue().getBytes()) : new byte[0];
                    yield new WatchEvent.Deleted(new StoredObject(key, json, kv.getModRevision(),
                            known ? previous.getCreateRevision() : 0));
                }
                case UNRECOGNIZED -> throw new IllegalStateException("unknown etcd event type");
            });
        } catch (RuntimeException e) {
            // A value we cannot read must not stop the feed for every other object.
            LOG.error("skipping etcd event at revision {} for {}: {}", kv.getModRevision(), path, e.getMessage());
            return Optional.empty();
        }
    }

    private void onError(int from, Throwable error) {
        io.etcd.jetcd.Watch.Watcher stale;
        Duration delay;
        long resumeAt;
        synchronized (this) {
            if (closed || from != generation) {
                return;
            }
            generation++;
            stale = watcher;
            watcher = null;
            delay = RETRY.delay(++failures);
            resumeAt = lastRevision + 1;
        }
        if (stale != null) {
            stale.close(); // stop jetcd's own resumption: it may skip events (decision 0003)
        }
        if (error instanceof CompactedException compacted) {
            synchronized (this) {
                closed = true;
            }
            sink.compacted(compacted.getCompactedRevision());
            return;
        }
        LOG.warn("etcd watch of {} failed ({}); reopening from revision {} in {} ms", prefix, error.getMessage(),
                resumeAt, delay.toMillis());
        try {
            scheduler.schedule(this::open, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("store closed; not reopening the etcd watch of {}", prefix);
        }
    }

    synchronized long lastRevision() {
        return lastRevision;
    }

    @Override
    public void close() {
        io.etcd.jetcd.Watch.Watcher current;
        synchronized (this) {
            closed = true;
            current = watcher;
            watcher = null;
        }
        if (current != null) {
            current.close();
        }
    }
}
