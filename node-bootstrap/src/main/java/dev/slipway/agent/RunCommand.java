package dev.slipway.agent;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code run}: the agent in the foreground, logging to the console and the agent log; SIGTERM stops it. */
@Command(name = "run", description = "Run the agent in the foreground (logs to stdout and <root>/var/log/slipway/agent.log).")
class RunCommand implements Callable<Integer> {

  @Mixin RootOption root;

  boolean console() {
    return true;
  }

  @Override
  public Integer call() throws InterruptedException {
    AgentLogging.toFile(root.paths(), console());
    Agent agent = Agent.start(root.paths());
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
    agent.awaitClose();
    return 0;
  }
}
