package dev.slipway.agent;

import dev.slipway.agent.config.AgentPaths;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * Points slf4j-simple at {@code <root>/var/log/slipway/agent.log} (and the console in the foreground).
 * Must run before the first logger is made, so commands call it first.
 */
final class AgentLogging {

  private AgentLogging() {}

  static void toFile(AgentPaths paths, boolean alsoConsole) {
    try {
      Files.createDirectories(paths.logDir());
      OutputStream file = new FileOutputStream(paths.agentLog().toFile(), true);
      OutputStream target = alsoConsole ? new Tee(System.out, file) : file;
      System.setOut(new PrintStream(target, true));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the agent log " + paths.agentLog(), e);
    }
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.out");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
  }

  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      first.flush();
      second.flush();
    }
  }
}
