package dev.slipway.controlplane.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UidSourceTest {

    @Test
    void uidsAreDistinctRandomUuidsAcrossManyBlocksOfBits() {
        UidSource source = new UidSource();
        Set<String> uids = new HashSet<>();
        Set<Long> highs = new HashSet<>();

        for (int i = 0; i < 2000; i++) {
            String uid = source.next();
            UUID parsed = UUID.fromString(uid);
            assertThat(parsed.version()).isEqualTo(4);
            assertThat(parsed.variant()).isEqualTo(2);
            assertThat(parsed.toString()).isEqualTo(uid);
            uids.add(uid);
            highs.add(parsed.getMostSignificantBits());
        }

        // Both halves come from fresh bits: a block that was not refilled would repeat its UUIDs.
        assertThat(uids).hasSize(2000);
        assertThat(highs).hasSize(2000);
    }
}
