package dev.slipway.controlplane.controller;

import dev.slipway.controlplane.Backoff;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Reconciler} on N virtual-thread workers fed by a {@link WorkQueue}. Informer
 * event handlers registered with {@link #watch} only turn objects into keys and enqueue them; the
 * informers themselves are started (and synced) by whoever owns them, before {@link #start}.
 */
public final class Controller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Controller.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final String name;
    private final Reconciler reconciler;
    private final int workers;
    private final WorkQueue queue;
    private final List<Thread> threads = new ArrayList<>();

    public Controller(String name, Reconciler reconciler, int workers, Backoff backoff) {
        if (workers < 1) {
            throw new IllegalArgumentException("controller " + name + " needs at least one worker, got " + workers);
        }
        this.name = name;
        this.reconciler = reconciler;
        this.workers = workers;
        this.queue = new WorkQueue(backoff);
    }

    public Controller(String name, Reconciler reconciler, int workers) {
        this(name, reconciler, workers, Backoff.DEFAULT);
    }

    public String name() {
        return name;
    }

    /** Enqueues the keys {@code keys} maps each added, changed or deleted object to. */
    public <T extends HasMetadata> Controller watch(SharedIndexInformer<T> informer, Function<? super T, ? extends Collection<ObjectRef>> keys) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                keys.apply(object).forEach(queue::add);
            }

            @Override
            public void onUpdate(T before, T after) {
                keys.apply(before).forEach(queue::add);
                keys.apply(after).forEach(queue::add);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                keys.apply(object).forEach(queue::add);
            }
        });
        return this;
    }

    /** Enqueues the keys {@code keys} maps an object to only when the object is deleted. */
    public <T extends HasMetadata> Controller watchDeletions(SharedIndexInformer<T> informer,
                                                             Function<? super T, ? extends Collection<ObjectRef>> keys) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
            }

            @Override
            public void onUpdate(T before, T after) {
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                keys.apply(object).forEach(queue::add);
            }
        });
        return this;
    }

    /** The object's own key. */
    public static List<ObjectRef> self(HasMetadata object) {
        return List.of(ObjectRef.of(object));
    }

    /** The key of the object's controlling owner when that owner is of {@code kind}, e.g. a pod's ReplicaSet. */
    public static Function<HasMetadata, List<ObjectRef>> controllerOf(String kind) {
        return object -> controllerReference(object).filter(owner -> kind.equals(owner.getKind()))
                .map(owner -> List.of(new ObjectRef(namespaceOf(object), owner.getName()))).orElse(List.of());
    }

    /** The owner reference with {@code controller: true}, if any. */
    public static Optional<OwnerReference> controllerReference(HasMetadata object) {
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        return owners == null ? Optional.empty() : owners.stream().filter(owner -> Boolean.TRUE.equals(owner.getController())).findFirst();
    }

    private static String namespaceOf(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return namespace == null ? "" : namespace;
    }

    public void enqueue(ObjectRef key) {
        queue.add(key);
    }

    public void enqueueAfter(ObjectRef key, Duration delay) {
        queue.addAfter(key, delay);
    }

    public synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("controller " + name + " already started");
        }
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofVirtual().name(name + "-worker-" + i).start(this::work));
        }
        log.debug("controller {} started with {} workers", name, workers);
    }

    private void work() {
        while (true) {
            ObjectRef key;
            try {
                Optional<ObjectRef> next = queue.take();
                if (next.isEmpty()) {
                    return;
                }
                key = next.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                switch (reconciler.reconcile(key)) {
                    case Result.Done done -> queue.forget(key);
                    case Result.RequeueAfter later -> {
                        queue.forget(key);
                        queue.addAfter(key, later.delay());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception | LinkageError e) {
                int failures = queue.failures(key) + 1;
                log.warn("{}: reconciling {} failed (attempt {}), retrying with back-off: {}", name, key, failures, e.toString());
                log.debug("{}: failure detail for {}", name, key, e);
                queue.addRateLimited(key);
            } finally {
                queue.done(key);
            }
        }
    }

    /** Stops taking keys, lets running reconciles finish (bounded), then returns. */
    @Override
    public synchronized void close() {
        queue.close();
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (Thread thread : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
