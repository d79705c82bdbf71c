package dev.slipway.agent.kubelet.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.agent.runtime.LogFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogDecoderTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      full stdout line          | 2026-03-01T12:00:00.123456789Z stdout F hello\\n                                   | hello\\n
      full stderr line          | 2026-03-01T12:00:00.1Z stderr F oops\\n                                             | oops\\n
      empty line                | 2026-03-01T12:00:00.1Z stdout F \\n                                                 | \\n
      partial line joins next   | 2026-03-01T12:00:00.1Z stdout P abc\\n2026-03-01T12:00:00.2Z stdout F def\\n       | abcdef\\n
      text keeps its own spaces | 2026-03-01T12:00:00.1Z stdout F  two  spaces \\n                                    | ' two  spaces \\n'
      foreign line as it is     | not a cri line\\n                                                                  | not a cri line\\n
      """)
  void criLinesLoseTimeStreamAndTag(String situation, String file, String shown) {
    LogDecoder decoder = new LogDecoder(LogFormat.CRI);

    assertThat(text(decoder.feed(bytes(unescape(file))))).isEqualTo(unescape(shown));
  }

  @Test
  void lineCutBetweenTwoReadsIsShownOnceItIsWhole() {
    LogDecoder decoder = new LogDecoder(LogFormat.CRI);

    byte[] first = decoder.feed(bytes("2026-03-01T12:00:00.1Z stdout F one\n2026-03-01T12:00:00.2Z std"));
    byte[] second = decoder.feed(bytes("out F two\n"));

    assertThat(text(first)).isEqualTo("one\n");
    assertThat(text(second)).isEqualTo("two\n");
  }

  @Test
  void plainLogPassesUnchanged() {
    LogDecoder decoder = new LogDecoder(LogFormat.PLAIN);

    assertThat(text(decoder.feed(bytes("2026-03-01T12:00:00.1Z stdout F looks like cri\nno newline")))).isEqualTo(
        "2026-03-01T12:00:00.1Z stdout F looks like cri\nno newline");
  }

  private static String unescape(String s) {
    return s.replace("\\n", "\n");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
