package dev.slipway.agent;

import dev.slipway.agent.config.AgentPaths;
import dev.slipway.agent.etcd.EtcdSupervisor;
import dev.slipway.agent.process.AgentLock;
import dev.slipway.agent.process.PidFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code stop}: SIGTERM the agent, wait, then SIGKILL; etcd stops with it unless {@code --leave-etcd}. */
@Command(name = "stop", description = "Stop the agent (SIGTERM, then SIGKILL after a wait) and its etcd member.")
final class StopCommand implements Callable<Integer> {

  private static final Duration AGENT_GRACE = Duration.ofSeconds(30);

  @Mixin RootOption root;

  @Option(names = "--leave-etcd", description = "Leave etcd running (the next agent adopts it).")
  boolean leaveEtcd;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    AgentPaths paths = root.paths();
    PrintWriter out = spec.commandLine().getOut();
    Optional<ProcessHandle> agent = new PidFile(paths.agentPidFile()).liveProcess().filter(p -> AgentLock.isHeld(paths));
    if (agent.isPresent()) {
      if (leaveEtcd) {
        Files.createDirectories(paths.stateDir());
        Files.writeString(Agent.leaveEtcdMarker(paths), "");
      }
      stopAgent(agent.get(), out);
    } else {
      out.println("no agent running for " + paths.root());
    }
    Files.deleteIfExists(Agent.leaveEtcdMarker(paths));
    if (!leaveEtcd) {
      // An agent that was killed (or never running) leaves its etcd behind; stop that one too.
      Optional<ProcessHandle> etcd = EtcdSupervisor.runningFor(paths);
      if (etcd.isPresent()) {
        EtcdSupervisor.terminate(etcd.get());
        new PidFile(paths.etcdPidFile()).delete();
        out.println("stopped etcd pid " + etcd.get().pid());
      }
    }
    return 0;
  }

  private static void stopAgent(ProcessHandle agent, PrintWriter out) throws InterruptedException, IOException {
    agent.destroy();
    try {
      agent.onExit().get(AGENT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      out.println("stopped agent pid " + agent.pid());
    } catch (TimeoutException e) {
      agent.destroyForcibly();
      agent.onExit().join();
      out.println("killed agent pid " + agent.pid() + " after " + AGENT_GRACE.toSeconds() + "s");
    } catch (ExecutionException e) {
      throw new IOException("waiting for agent pid " + agent.pid() + " failed", e);
    }
  }
}
