package dev.slipway.agent.etcd;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.config.EtcdMemberConfig;
import dev.slipway.agent.process.PidFile;
import dev.slipway.controlplane.storage.EtcdTuning;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this machine's etcd member running: starts it in its own session (so it outlives an agent
 * restart and the SSH session that started the agent), adopts one that is already running for the
 * same data dir, restarts it with back-off when it exits, and stops it on request.
 */
public final class EtcdSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EtcdSupervisor.class);
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(15);

  private final AgentPaths paths;
  private final EtcdMemberConfig member;
  private final RestartBackoff backoff;
  private final PidFile pidFile;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final AtomicInteger starts = new AtomicInteger();
  private volatile ProcessHandle current;
  private Thread loop;

  public EtcdSupervisor(AgentPaths paths, EtcdMemberConfig member) {
    this(paths, member, RestartBackoff.ETCD);
  }

  EtcdSupervisor(AgentPaths paths, EtcdMemberConfig member, RestartBackoff backoff) {
    this.paths = paths;
    this.member = member;
    this.backoff = backoff;
    this.pidFile = new PidFile(paths.etcdPidFile());
  }

  /** Adopts the running member or starts one, then watches it from a background thread. */
  public synchronized void start() {
    if (loop != null) {
      throw new IllegalStateException("etcd supervisor already started");
    }
    current = adoptable(paths, member).orElseGet(this::launch);
    loop = Thread.ofPlatform().name("etcd-supervisor").daemon().start(this::supervise);
  }

  /** The etcd process being supervised right now, if one runs. */
  public Optional<ProcessHandle> process() {
    ProcessHandle p = current;
    return p != null && p.isAlive() ? Optional.of(p) : Optional.empty();
  }

  /** How many times this supervisor launched etcd (an adopted process does not count). */
  public int launches() {
    return starts.get();
  }

  /** Stops supervising; with {@code leaveRunning} etcd keeps serving for the next agent to adopt. */
  public synchronized void stop(boolean leaveRunning) {
    stopping.countDown();
    if (loop != null) {
      loop.interrupt();
      joinQuietly(loop);
    }
    ProcessHandle p = current;
    if (!leaveRunning && p != null) {
      terminate(p);
      pidFile.delete();
    }
  }

  @Override
  public void close() {
    stop(false);
  }

  /** A running etcd that the pid file names and that serves this member's data dir. */
  static Optional<ProcessHandle> adoptable(AgentPaths paths, EtcdMemberConfig member) {
    String dataDirFlag = EtcdCommandLine.dataDirFlag(paths, member);
    return new PidFile(paths.etcdPidFile()).liveProcess()
        .filter(p -> PidFile.commandLine(p.pid()).contains(dataDirFlag))
        .map(p -> {
          log.info("adopting running etcd pid {} for {}", p.pid(), dataDirFlag);
          return p;
        });
  }

  /** The etcd that this root's pid file names, if it still runs one of this root's data dirs. */
  public static Optional<ProcessHandle> runningFor(AgentPaths paths) {
    String dataDirPrefix = "--data-dir=" + paths.etcdDataParent() + "/";
    return new PidFile(paths.etcdPidFile()).liveProcess()
        .filter(p -> PidFile.commandLine(p.pid()).stream().anyMatch(arg -> arg.startsWith(dataDirPrefix)));
  }

  /** Sends SIGTERM, waits, then SIGKILL; returns once the process is gone. */
  public static void terminate(ProcessHandle p) {
    log.info("stopping etcd pid {}", p.pid());
    p.destroy();
    try {
      p.onExit().get(GRACEFUL_STOP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("etcd pid {} did not stop within {}s; killing it", p.pid(), GRACEFUL_STOP.toSeconds());
      p.destroyForcibly();
      p.onExit().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for etcd pid " + p.pid() + " failed", e);
    }
  }

  private void supervise() {
    Duration delay = null;
    while (stopping.getCount() > 0) {
      ProcessHandle running = current;
      Instant startedAt = running.info().startInstant().orElse(Instant.now());
      try {
        running.onExit().get();
      } catch (InterruptedException e) {
        return;
      } catch (ExecutionException e) {
        log.warn("waiting for etcd pid {} failed", running.pid(), e);
      }
      if (stopping.getCount() == 0) {
        return;
      }
      delay = backoff.next(delay, Duration.between(startedAt, Instant.now()));
      log.warn("etcd pid {} exited; restarting in {} ms (see {})", running.pid(), delay.toMillis(), paths.etcdLog());
      try {
        if (stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      try {
        current = launch();
      } catch (RuntimeException e) {
        log.error("cannot start etcd: {}", e.getMessage(), e);
      }
    }
  }

  private ProcessHandle launch() {
    if (!Files.isExecutable(member.binary())) {
      throw new IllegalStateException("etcd binary " + member.binary() + " (etcd.binary in " + paths.configFile()
          + ") is missing or not executable");
    }
    Path dataDir = paths.etcdDataDir(member.dataDirName());
    try {
      Files.createDirectories(paths.etcdDataParent());
      if (!Files.exists(dataDir)) {
        Files.createDirectory(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      Files.createDirectories(paths.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare etcd data dir " + dataDir, e);
    }
    // setsid: its own session and process group, so a SIGHUP or SIGINT aimed at the agent's group spares etcd.
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(EtcdCommandLine.of(paths, member));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.etcdLog().toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(EtcdTuning.environment());
    try {
      Process process = builder.start();
      pidFile.write(process.pid());
      starts.incrementAndGet();
      log.info("started etcd member {} pid {} (data {}, log {})", member.name(), process.pid(), dataDir, paths.etcdLog());
      return process.toHandle();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd " + member.binary() + ": " + e.getMessage(), e);
    }
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
