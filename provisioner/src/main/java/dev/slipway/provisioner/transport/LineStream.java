package dev.slipway.provisioner.transport;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Collects a command's output and hands each complete line to a listener as it arrives. */
final class LineStream extends OutputStream {

    private final Consumer<String> lines;
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineStream(Consumer<String> lines) {
        this.lines = lines;
    }

    @Override
    public synchronized void write(int b) {
        all.write(b);
        if (b == '\n') {
            emitLine();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        all.write(bytes, offset, length);
        int start = offset;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                line.write(bytes, start, i - start);
                emitLine();
                start = i + 1;
            }
        }
        line.write(bytes, start, offset + length - start);
    }

    /** Emits a last line that had no newline; safe to call twice. */
    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            emitLine();
        }
    }

    synchronized String text() {
        return all.toString(StandardCharsets.UTF_8);
    }

    private void emitLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        lines.accept(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
    }
}
