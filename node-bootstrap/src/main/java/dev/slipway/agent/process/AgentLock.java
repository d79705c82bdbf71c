package dev.slipway.agent.process;

import dev.slipway.agent.config.AgentPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One agent per root: a running agent holds an OS file lock on {@code <root>/var/lib/slipway/agent.lock}.
 * The kernel drops the lock when the agent dies, however it dies, so a stale pid file never blocks a start.
 */
public final class AgentLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private AgentLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, or returns empty when another agent holds it. */
  public static Optional<AgentLock> tryAcquire(AgentPaths paths) {
    Path file = lockFile(paths);
    try {
      Files.createDirectories(file.getParent());
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very JVM
      }
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      return Optional.of(new AgentLock(channel, lock));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  /** Whether an agent is running for this root right now. */
  public static boolean isHeld(AgentPaths paths) {
    if (!Files.exists(lockFile(paths))) {
      return false;
    }
    Optional<AgentLock> probe = tryAcquire(paths);
    probe.ifPresent(AgentLock::close);
    return probe.isEmpty();
  }

  private static Path lockFile(AgentPaths paths) {
    return paths.stateDir().resolve("agent.lock");
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the agent lock", e);
    }
  }
}
