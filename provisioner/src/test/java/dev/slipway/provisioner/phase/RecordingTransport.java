package dev.slipway.provisioner.phase;

import dev.slipway.provisioner.transport.CommandResult;
import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.transport.HostTransport;
import dev.slipway.provisioner.transport.RunOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A transport that answers every command with success and counts closes. */
final class RecordingTransport implements HostTransport {
  private final String host;
  private final AtomicInteger closed;

  RecordingTransport(String host, AtomicInteger closed) {
    this.host = host;
    this.closed = closed;
  }

  @Override
  public String hostName() {
    return host;
  }

  @Override
  public CommandResult run(String shellCommand, RunOptions options) {
    return new CommandResult(host, shellCommand, 0, "", "", Duration.ZERO);
  }

  @Override
  public void upload(InputStream source, String remotePath, FileAttributes attributes) {
  }

  @Override
  public void upload(Path source, String remotePath, FileAttributes attributes) {
  }

  @Override
  public void download(String remotePath, OutputStream sink) {
  }

  @Override
  public void close() {
    closed.incrementAndGet();
  }
}
