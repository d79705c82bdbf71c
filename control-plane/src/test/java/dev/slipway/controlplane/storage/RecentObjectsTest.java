package dev.slipway.controlplane.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentObjectsTest {

    private static final ObjectKey KEY = new ObjectKey("pods", "default", "web");

    private static StoredObject at(ObjectKey key, long revision) {
        return new StoredObject(key, ("{\"r\":" + revision + "}").getBytes(UTF_8), revision, 1);
    }

    @Test
    void keepsTheNewestStateWhateverOrderTheyArriveIn() {
        RecentObjects recent = new RecentObjects(10);

        recent.saw(at(KEY, 7));
        recent.saw(at(KEY, 5));

        assertThat(recent.get(KEY)).hasValueSatisfying(object -> assertThat(object.modRevision()).isEqualTo(7));
    }

    @Test
    void aDeletionForgetsOnlyStatesOlderThanItself() {
        RecentObjects recent = new RecentObjects(10);
        recent.saw(at(KEY, 7));

        recent.deleted(KEY, 6);
        assertThat(recent.get(KEY)).isPresent();

        recent.deleted(KEY, 8);
        assertThat(recent.get(KEY)).isEmpty();
    }

    @Test
    void watchEventsAreHeardAsWritesAndDeletions() {
        RecentObjects recent = new RecentObjects(10);

        recent.heard(new WatchEvent.Added(at(KEY, 3)));
        recent.heard(new WatchEvent.Modified(at(KEY, 4), at(KEY, 3)));
        assertThat(recent.get(KEY)).hasValueSatisfying(object -> assertThat(object.modRevision()).isEqualTo(4));

        recent.heard(new WatchEvent.Deleted(at(KEY, 5)));
        assertThat(recent.get(KEY)).isEmpty();
    }

    @Test
    void forgetsTheLeastRecentlyUsedBeyondItsCapacity() {
        RecentObjects recent = new RecentObjects(2);
        ObjectKey a = new ObjectKey("pods", "default", "a");
        ObjectKey b = new ObjectKey("pods", "default", "b");
        ObjectKey c = new ObjectKey("pods", "default", "c");
        recent.saw(at(a, 1));
        recent.saw(at(b, 2));
        recent.get(a);

        recent.saw(at(c, 3));

        assertThat(recent.size()).isEqualTo(2);
        assertThat(recent.get(a)).isPresent();
        assertThat(recent.get(b)).isEmpty();
        assertThat(recent.get(c)).isPresent();
    }
}
