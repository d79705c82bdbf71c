package dev.slipway.controlplane.testing;

import dev.slipway.controlplane.storage.EtcdConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real etcd cluster of several members on loopback, for tests of fail-over: kill a member with
 * {@link EtcdProcess#kill()}, bring it back with {@link EtcdProcess#resume()}.
 */
public final class EtcdCluster implements AutoCloseable {

    private final List<EtcdProcess> members;

    private EtcdCluster(List<EtcdProcess> members) {
        this.members = List.copyOf(members);
    }

    /** Starts {@code size} plaintext members and waits until every one is healthy. */
    public static EtcdCluster start(int size) {
        List<EtcdProcess> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(EtcdProcess.member("member" + i));
        }
        String initialCluster = members.stream().map(EtcdProcess::peerMember).collect(Collectors.joining(","));
        EtcdCluster cluster = new EtcdCluster(members);
        try {
            // Every member must be running before any can elect a leader.
            members.forEach(member -> member.joinCluster(initialCluster));
            members.forEach(EtcdProcess::spawn);
            members.forEach(EtcdProcess::awaitHealthy);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public List<EtcdProcess> members() {
        return members;
    }

    public EtcdProcess member(int index) {
        return members.get(index);
    }

    /** A plaintext connection that lists every member's client URL. */
    public EtcdConnection connection() {
        return EtcdConnection.plaintext(members.stream().map(EtcdProcess::endpoint).toList());
    }

    @Override
    public void close() {
        members.forEach(EtcdProcess::close);
    }
}
