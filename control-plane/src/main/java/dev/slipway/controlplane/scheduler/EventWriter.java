package dev.slipway.controlplane.scheduler;

import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the scheduler's Events off the binding path, as kube-scheduler's event broadcaster does: a
 * binding waits for its {@code pods/binding} write only, not for the Event about it. At most
 * {@code limit} writes are in flight; one more waits for a free slot, so a slow API server slows
 * the scheduler down instead of piling up threads.
 */
final class EventWriter {

    private static final Logger log = LoggerFactory.getLogger(EventWriter.class);

    private final Semaphore slots;

    EventWriter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("an event writer needs at least one slot, got " + limit);
        }
        this.slots = new Semaphore(limit);
    }

    /** Runs {@code write} on a virtual thread once a slot is free; a failure is logged, never thrown to the scheduler. */
    void submit(String what, Runnable write) {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("not recording {}: interrupted while waiting for a free slot", what);
            return;
        }
        Thread.ofVirtual().name("scheduler-event").start(() -> {
            try {
                write.run();
            } catch (RuntimeException e) {
                log.warn("could not record {}: {}", what, e.toString());
            } finally {
                slots.release();
            }
        });
    }
}
