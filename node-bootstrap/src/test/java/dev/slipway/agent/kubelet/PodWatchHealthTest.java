package dev.slipway.agent.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PodWatchHealthTest {

  private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");
  private final PodWatchHealth health = new PodWatchHealth();

  @Test
  void aWatchThatIsUpWorks() {
    assertThat(health.working(true, START)).isTrue();
  }

  @Test
  void aWatchReconnectingWithinTheGraceStillWorks() {
    // Given: the watch was seen down once
    health.working(false, START);

    // When / Then: still down at the end of the grace, it still counts as working
    assertThat(health.working(false, START.plus(PodWatchHealth.GRACE))).isTrue();
  }

  @Test
  void aWatchDownForLongerThanTheGraceFails() {
    // Given
    health.working(false, START);

    // When / Then
    assertThat(health.working(false, START.plus(PodWatchHealth.GRACE).plusSeconds(1))).isFalse();
  }

  @Test
  void aWatchSeenUpInBetweenStartsTheGraceAfresh() {
    // Given: down, then up again, then down
    health.working(false, START);
    health.working(true, START.plusSeconds(20));
    health.working(false, START.plusSeconds(25));

    // When / Then: measured from the second outage, not the first
    assertThat(health.working(false, START.plus(PodWatchHealth.GRACE).plusSeconds(20))).isTrue();
    assertThat(health.working(false, START.plusSeconds(25).plus(PodWatchHealth.GRACE).plus(Duration.ofSeconds(1)))).isFalse();
  }
}
