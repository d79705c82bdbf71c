package dev.slipway.controlplane.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdTuningTest {

    @Test
    void writesLeaveTheBackendBatchSoonSoTransactionsCopyLittle() {
        assertThat(EtcdTuning.flags()).containsExactly("--backend-batch-interval=10ms");
    }

    @Test
    void etcdCollectsGarbageSeldomButWithinHalfTheMachine() {
        assertThat(EtcdTuning.environment(8L << 30)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "GOGC", "400",
                "GOMEMLIMIT", Long.toString(4L << 30)));
    }
}
