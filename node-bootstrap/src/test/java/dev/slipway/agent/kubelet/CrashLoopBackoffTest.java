package dev.slipway.agent.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CrashLoopBackoffTest {

  private static final Instant FINISHED = Instant.parse("2026-03-01T12:00:00Z");

  @ParameterizedTest(name = "restart {0} waits {1} s")
  @CsvSource({
      "-1, 0",
      "0, 0",
      "1, 10",
      "2, 20",
      "3, 40",
      "4, 80",
      "5, 160",
      "6, 300",
      "7, 300",
      "1000, 300"})
  void delayStartsAtTenSecondsAndDoublesUpToFiveMinutes(int restart, long seconds) {
    assertThat(CrashLoopBackoff.delay(restart)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest(name = "after restart {0}, a run of {1} s waits {2} s")
  @CsvSource({
      "0, 5, 10",
      "1, 5, 20",
      "4, 5, 160",
      "9, 5, 300",
      "9, 599, 300",
      "9, 600, 10",
      "3, 3600, 10"})
  void nextStartFollowsTheLadderUnlessTheContainerRanTenMinutes(int restartsSoFar, long ranSeconds, long waitSeconds) {
    Instant next = CrashLoopBackoff.nextStart(restartsSoFar, FINISHED.minusSeconds(ranSeconds), FINISHED);

    assertThat(next).isEqualTo(FINISHED.plusSeconds(waitSeconds));
  }

  @ParameterizedTest(name = "restart {0} without a start time waits {1} s")
  @CsvSource({"0, 10", "2, 40"})
  void containerWithoutAStartTimeFollowsTheLadder(int restartsSoFar, long waitSeconds) {
    assertThat(CrashLoopBackoff.nextStart(restartsSoFar, null, FINISHED)).isEqualTo(FINISHED.plusSeconds(waitSeconds));
  }
}
