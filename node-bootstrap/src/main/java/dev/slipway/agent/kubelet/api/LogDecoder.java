package dev.slipway.agent.kubelet.api;

import dev.slipway.agent.runtime.LogFormat;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Turns a container's log file into what {@code kubectl logs} shows: a CRI line
 * {@code <time> <stream> <F|P> <text>} becomes its text (with its newline only when the tag is F,
 * the full line); a plain log passes unchanged. Fed in pieces, it keeps a cut-off CRI line until the rest comes.
 */
final class LogDecoder {

  private final LogFormat format;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  LogDecoder(LogFormat format) {
    this.format = format;
  }

  /** The decoded text of {@code bytes}, which follow the bytes fed before. */
  byte[] feed(byte[] bytes) {
    if (format == LogFormat.PLAIN) {
      return bytes;
    }
    pending.writeBytes(bytes);
    byte[] all = pending.toByteArray();
    int end = lastNewline(all);
    pending.reset();
    pending.write(all, end + 1, all.length - end - 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream(end + 1);
    int start = 0;
    while (start <= end) {
      int newline = indexOf(all, (byte) '\n', start);
      decodeLine(Arrays.copyOfRange(all, start, newline), out);
      start = newline + 1;
    }
    return out.toByteArray();
  }

  private static void decodeLine(byte[] line, ByteArrayOutputStream out) {
    int afterTime = indexOf(line, (byte) ' ', 0);
    int afterStream = afterTime < 0 ? -1 : indexOf(line, (byte) ' ', afterTime + 1);
    boolean cri = afterStream > 0 && afterStream + 1 < line.length
        && (line[afterStream + 1] == 'F' || line[afterStream + 1] == 'P')
        && (afterStream + 2 == line.length || line[afterStream + 2] == ' ');
    if (!cri) {
      // Not written by a CRI runtime: show it as it is.
      out.writeBytes(line);
      out.write('\n');
      return;
    }
    int text = Math.min(line.length, afterStream + 3);
    out.write(line, text, line.length - text);
    if (line[afterStream + 1] == 'F') {
      out.write('\n');
    }
  }

  private static int lastNewline(byte[] bytes) {
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] bytes, byte wanted, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }
}
