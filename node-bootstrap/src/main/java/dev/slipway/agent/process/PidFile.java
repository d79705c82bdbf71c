package dev.slipway.agent.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** A file holding one process id, written atomically; the process it names may be gone. */
public record PidFile(Path file) {

  public void write(long pid) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(temp, pid + "\n");
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write pid file " + file, e);
    }
  }

  /** The pid written in the file, when the file exists and holds a number. */
  public Optional<Long> pid() {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).strip()));
    } catch (NoSuchFileException | NumberFormatException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read pid file " + file, e);
    }
  }

  /** The live process the file names, if there is one. */
  public Optional<ProcessHandle> liveProcess() {
    return pid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
  }

  public void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete pid file " + file, e);
    }
  }

  /** A process's command line from /proc (empty when it is gone or unreadable); Linux only, like the agent. */
  public static List<String> commandLine(long pid) {
    try {
      String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
      return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }
}
