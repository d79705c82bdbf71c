package dev.slipway.pki;

import dev.slipway.pki.ClusterTopology.Member;
import java.util.List;

/** A three-master cluster on loopback addresses, as the local provider would describe it. */
final class TestTopologies {

    static final List<Member> MASTERS = List.of(
            new Member("m1", "127.0.10.1"), new Member("m2", "127.0.10.2"), new Member("m3", "127.0.10.3"));

    private TestTopologies() {
    }

    static ClusterTopology threeMasters() {
        return ClusterTopology.withDefaults("lab", MASTERS, MASTERS)
                .withExtraApiServerSans(List.of("api.lab.example", "192.0.2.10"));
    }
}
