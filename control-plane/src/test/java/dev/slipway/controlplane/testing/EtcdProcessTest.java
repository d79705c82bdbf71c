package dev.slipway.controlplane.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EtcdProcessTest {

    @Test
    void startedEtcdStoresWhatEtcdctlPuts() {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            etcd.etcdctl("put", "/fixture/key", "value");

            assertThat(etcd.rawValue("/fixture/key")).isEqualTo("value\n");
        }
    }

    @Test
    void closeDeletesTheDataDirectory() {
        Path data;
        try (EtcdProcess etcd = EtcdProcess.start()) {
            data = etcd.dataDirectory();
            assertThat(data).isDirectory();
        }

        assertThat(data).doesNotExist();
    }

    @Test
    void resumedEtcdKeepsItsData() {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            etcd.etcdctl("put", "/fixture/key", "kept");

            etcd.kill();
            etcd.resume();

            assertThat(etcd.rawValue("/fixture/key")).isEqualTo("kept\n");
        }
    }
}
