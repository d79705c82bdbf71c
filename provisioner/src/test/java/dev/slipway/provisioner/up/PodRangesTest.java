package dev.slipway.provisioner.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.provisioner.inventory.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodRangesTest {

  private static Cidr cidr(String text) throws Exception {
    int slash = text.indexOf('/');
    return new Cidr(InetAddress.getByName(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
  }

  @ParameterizedTest
  @CsvSource({
      "10.244.0.0/16, 10.244.0.0/24, 10.244.1.0/24, 10.244.2.0/24",
      "10.244.7.9/16, 10.244.0.0/24, 10.244.1.0/24, 10.244.2.0/24",
      "192.168.0.0/22, 192.168.0.0/24, 192.168.1.0/24, 192.168.2.0/24",
      "172.16.0.0/12, 172.16.0.0/24, 172.16.1.0/24, 172.16.2.0/24",
  })
  void firstRunCarvesConsecutiveSlash24sInHostOrder(String network, String first, String second, String third) throws Exception {
    // When
    var ranges = PodRanges.carve(cidr(network), List.of("m1", "m2", "w1"), Map.of());

    // Then
    assertThat(ranges).containsExactly(Map.entry("m1", first), Map.entry("m2", second), Map.entry("w1", third));
  }

  @Test
  void aNodeKeepsItsRangeWhenAHostIsAddedBeforeIt() throws Exception {
    // Given
    var previous = Map.of("m1", "10.244.0.0/24", "w1", "10.244.1.0/24");

    // When: a new host comes first in the inventory
    var ranges = PodRanges.carve(cidr("10.244.0.0/16"), List.of("m0", "m1", "w1"), previous);

    // Then
    assertThat(ranges).containsEntry("m1", "10.244.0.0/24").containsEntry("w1", "10.244.1.0/24").containsEntry("m0", "10.244.2.0/24");
  }

  @Test
  void aRemovedNodesRangeIsFreedForTheNextNewNode() throws Exception {
    // Given
    var previous = Map.of("m1", "10.244.0.0/24", "gone", "10.244.1.0/24", "w1", "10.244.2.0/24");

    // When
    var ranges = PodRanges.carve(cidr("10.244.0.0/16"), List.of("m1", "w1", "w2"), previous);

    // Then
    assertThat(ranges).containsExactly(Map.entry("m1", "10.244.0.0/24"), Map.entry("w1", "10.244.2.0/24"), Map.entry("w2", "10.244.1.0/24"));
  }

  @Test
  void aRememberedRangeOutsideANewPodNetworkIsCarvedAgain() throws Exception {
    // When
    var ranges = PodRanges.carve(cidr("10.50.0.0/16"), List.of("m1"), Map.of("m1", "10.244.3.0/24"));

    // Then
    assertThat(ranges).containsEntry("m1", "10.50.0.0/24");
  }

  @Test
  void aNetworkWithTooFewRangesIsRefusedNamingTheField() throws Exception {
    assertThatThrownBy(() -> PodRanges.carve(cidr("10.244.0.0/23"), List.of("a", "b", "c"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.network.podCIDR 10.244.0.0/23 holds only 2 /24 ranges, not enough for 3 nodes");
  }

  @Test
  void aNetworkSmallerThanASlash24IsRefused() throws Exception {
    assertThatThrownBy(() -> PodRanges.carve(cidr("10.244.0.0/25"), List.of("a"), Map.of()))
        .hasMessageContaining("smaller than one /24 per node");
  }

  @Test
  void anIpv6PodNetworkIsRefused() throws Exception {
    assertThatThrownBy(() -> PodRanges.carve(cidr("fd00::/48"), List.of("a"), Map.of()))
        .hasMessageContaining("only IPv4 pod networks are supported");
  }
}
