package dev.slipway.controlplane.controller;

import dev.slipway.controlplane.Backoff;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A rate-limited work queue of object keys, shaped like client-go's workqueue. A key added many
 * times before a worker takes it is worked on once ({@code dirty}); a key being worked on is never
 * handed to a second worker ({@code processing}): added again meanwhile, it comes back after
 * {@link #done}. Keys can wait before they become due ({@link #addAfter}), and keys that failed wait
 * longer each time ({@link #addRateLimited}) until {@link #forget}.
 */
public final class WorkQueue implements AutoCloseable {

    private record Waiting(long dueNanos, ObjectRef key) {
    }

    private final Backoff backoff;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ObjectRef> ready = new ArrayDeque<>();
    private final Set<ObjectRef> dirty = new HashSet<>();
    private final Set<ObjectRef> processing = new HashSet<>();
    private final PriorityQueue<Waiting> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.dueNanos(), b.dueNanos()));
    private final Map<ObjectRef, Long> waitingDue = new HashMap<>();
    private final Map<ObjectRef, Integer> failures = new HashMap<>();
    private boolean closed;

    public WorkQueue(Backoff backoff) {
        this.backoff = backoff;
    }

    public WorkQueue() {
        this(Backoff.DEFAULT);
    }

    /** Makes the key due now; a no-op when it is already due, and deferred while a worker holds it. */
    public void add(ObjectRef key) {
        lock.lock();
        try {
            addLocked(key);
        } finally {
            lock.unlock();
        }
    }

    private void addLocked(ObjectRef key) {
        if (closed || !dirty.add(key)) {
            return;
        }
        if (!processing.contains(key)) {
            ready.addLast(key);
            changed.signal();
        }
    }

    /** Makes the key due after a delay; of several pending delays the earliest wins. */
    public void addAfter(ObjectRef key, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            add(key);
            return;
        }
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long due = System.nanoTime() + delay.toNanos();
            Long pending = waitingDue.get(key);
            if (pending != null && pending - due <= 0) {
                return;
            }
            waitingDue.put(key, due);
            waiting.add(new Waiting(due, key));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Counts a failure of the key and makes it due after its back-off. */
    public void addRateLimited(ObjectRef key) {
        int count;
        lock.lock();
        try {
            count = failures.merge(key, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
        addAfter(key, backoff.delay(count));
    }

    /** Clears the key's failure count, after it was worked on successfully. */
    public void forget(ObjectRef key) {
        lock.lock();
        try {
            failures.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** How many failures the key has had since it was last forgotten. */
    public int failures(ObjectRef key) {
        lock.lock();
        try {
            return failures.getOrDefault(key, 0);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a due key and marks it as being worked on; empty once the queue is closed. */
    public Optional<ObjectRef> take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return Optional.empty();
                }
                long untilNext = promoteDue();
                if (!ready.isEmpty()) {
                    return Optional.of(startProcessing());
                }
                if (untilNext == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(untilNext);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A due key marked as being worked on, without waiting; empty when none is due. */
    public Optional<ObjectRef> poll() {
        lock.lock();
        try {
            promoteDue();
            return closed || ready.isEmpty() ? Optional.empty() : Optional.of(startProcessing());
        } finally {
            lock.unlock();
        }
    }

    private ObjectRef startProcessing() {
        ObjectRef key = ready.pollFirst();
        processing.add(key);
        dirty.remove(key);
        return key;
    }

    /** Moves waiting keys whose time has come to the ready line; returns nanoseconds until the next one. */
    private long promoteDue() {
        long now = System.nanoTime();
        while (!waiting.isEmpty()) {
            Waiting next = waiting.peek();
            if (!waitingDue.containsKey(next.key()) || waitingDue.get(next.key()) != next.dueNanos()) {
                waiting.poll(); // superseded by an earlier delay for the same key
                continue;
            }
            long left = next.dueNanos() - now;
            if (left > 0) {
                return left;
            }
            waiting.poll();
            waitingDue.remove(next.key());
            addLocked(next.key());
        }
        return Long.MAX_VALUE;
    }

    /** Ends the work on a key taken with {@link #take}; if it was added meanwhile it becomes due again. */
    public void done(ObjectRef key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.contains(key) && !closed) {
                ready.addLast(key);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keys due now, not counting those being worked on or waiting. */
    public int length() {
        lock.lock();
        try {
            promoteDue();
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting worker; {@link #take} answers empty from now on. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
