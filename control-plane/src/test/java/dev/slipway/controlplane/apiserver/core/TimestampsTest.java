package dev.slipway.controlplane.apiserver.core;

import static org.assertj.core.api.Assertions.assertThat;

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
    void eachSecondIsWrittenAsItselfWhicheverCameBefore() {
        long second = Instant.parse("2026-12-07T10:00:00Z").getEpochSecond();

        for (long s : new long[] {second, second, second + 1, second, second + 86_400}) {
            assertThat(Timestamps.ofEpochSecond(s)).isEqualTo(Instant.ofEpochSecond(s).toString());
        }
    }

    @Test
    void secondsFromNowIsWholeSecondsAhead() {
        Instant earliest = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(30);

        Instant deadline = Instant.parse(Timestamps.secondsFromNow(30));

        assertThat(deadline).isBetween(earliest, earliest.plusSeconds(1));
        assertThat(deadline.getNano()).isZero();
    }
}
