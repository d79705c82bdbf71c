package dev.slipway.provisioner.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The small value parsers of the inventory: durations, CIDRs, taints, suggestions. */
class InventoryValuesTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({"10s, PT10S", "6h, PT6H", "87600h, PT87600H", "1h30m, PT1H30M", "1.5h, PT1H30M", "250ms, PT0.25S"})
  void goDurationsParse(String text, Duration expected) {
    assertThat(GoDuration.parse(text)).contains(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "10 s", "1d", "h", "-5s", "10years", "99999999999999999999h"})
  void badDurationsDoNotParse(String text) {
    assertThat(GoDuration.parse(text)).isEmpty();
  }

  @ParameterizedTest(name = "{0} and {1}: {2}")
  @CsvSource({
      "10.244.0.0/16, 10.96.0.0/16, false",
      "10.244.0.0/16, 10.244.128.0/20, true",
      "10.0.0.0/8, 10.96.0.0/12, true",
      "10.96.0.0/12, 10.112.0.0/12, false",
      "fd00::/64, fd00::/48, true",
      "fd00::/64, 10.0.0.0/8, false"})
  void cidrsOverlapWhenTheyShareAnAddress(String a, String b, boolean overlap) {
    assertThat(Cidr.parse(a).orElseThrow().overlaps(Cidr.parse(b).orElseThrow())).isEqualTo(overlap);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0", "10.0.0.0/33", "10.0.0/8", "300.0.0.0/8", "example.org/8", "10.0.0.0/x"})
  void badCidrsDoNotParse(String text) {
    assertThat(Cidr.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dedicated=gpu", "=x:NoSchedule", "a=b:Sometimes", "a=b c:NoExecute"})
  void badTaintsDoNotParse(String text) {
    assertThat(Taint.parse(text)).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"mastr, master", "wroker, worker", "adress, address", "hostz, hosts", "etc, etcd"})
  void nearWordsAreSuggested(String typo, String expected) {
    assertThat(NearestWord.to(typo, List.of("master", "worker", "etcd", "address", "hosts"))).contains(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"zzz", "kubelet"})
  void farWordsAreNotSuggested(String word) {
    assertThat(NearestWord.to(word, List.of("master", "worker", "etcd"))).isEmpty();
  }
}
