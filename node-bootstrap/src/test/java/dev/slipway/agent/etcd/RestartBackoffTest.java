package dev.slipway.agent.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RestartBackoffTest {

  @ParameterizedTest(name = "after a {0}s wait and {1}s up: wait {2}s")
  @CsvSource({
      // previous delay (-1: first restart), uptime, next delay
      "-1, 0,  1",
      "1,  0,  2",
      "2,  5,  4",
      "16, 0,  30",
      "30, 59, 30",
      "30, 60, 1",
      "8,  600, 1",
  })
  void delayDoublesUpToTheCapAndResetsAfterAStableRun(long previous, long uptime, long expected) {
    Duration prior = previous < 0 ? null : Duration.ofSeconds(previous);

    Duration next = RestartBackoff.ETCD.next(prior, Duration.ofSeconds(uptime));

    assertThat(next).isEqualTo(Duration.ofSeconds(expected));
  }
}
