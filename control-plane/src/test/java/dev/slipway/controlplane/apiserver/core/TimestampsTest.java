package dev.slipway.controlplane.apiserver.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    @Test
    void nowIsTheCurrentSecondInRfc3339Utc() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        String now = Timestamps.now();

        Instant after = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        assertThat(now).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
        assertThat(Instant.parse(now)).isBetween(before, after);
    }

    @Test
    void aLaterSecondIsWrittenAfresh() throws InterruptedException {
        String first = Timestamps.now();
        Thread.sleep(Duration.ofMillis(1100));

        String second = Timestamps.now();

        assertThat(Instant.parse(second)).isAfter(Instant.parse(first));
    }

    @Test
    void secondsFromNowIsWholeSecondsAhead() {
        Instant earliest = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(30);

        Instant deadline = Instant.parse(Timestamps.secondsFromNow(30));

        assertThat(deadline).isBetween(earliest, earliest.plusSeconds(1));
        assertThat(deadline.getNano()).isZero();
    }
}
