package dev.slipway.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.agent.config.AgentConfig;
import dev.slipway.agent.config.AgentFormats;
import dev.slipway.agent.config.SnapshotSchedule;
import dev.slipway.agent.etcd.EtcdSupervisor;
import dev.slipway.agent.testing.TestMembers;
import dev.slipway.agent.testing.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Component tests: the agent as a real separate process (as the launcher runs it) with a real etcd member. */
class AgentProcessTest {

  @TempDir Path base;
  private AgentConfig config;
  private final List<Process> agents = new ArrayList<>();

  @BeforeEach
  void configuredMember() {
    TestPki pki = TestPki.create(base.resolve("ca"), "etcd-ca");
    config = TestMembers.cluster(base, pki, "demo", SnapshotSchedule.DEFAULT, "127.0.0.1").getFirst();
    config.write(config.paths().configFile());
  }

  @AfterEach
  void cleanUp() {
    agents.forEach(Process::destroyForcibly);
    EtcdSupervisor.runningFor(config.paths()).ifPresent(EtcdSupervisor::terminate);
  }

  @Test
  void restartedAgentAdoptsTheEtcdThatKeptRunning() throws Exception {
    Process first = startAgent();
    Map<String, Object> before = awaitHealthyStatus();
    long etcdPid = ((Number) before.get("etcdPid")).longValue();

    first.destroyForcibly().waitFor();
    assertThat(ProcessHandle.of(etcdPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
    Process second = startAgent();

    await().atMost(Duration.ofSeconds(60)).until(() -> status().get("agentPid") instanceof Number n && n.longValue() == second.pid());
    Map<String, Object> after = awaitHealthyStatus();
    assertThat(((Number) after.get("etcdPid")).longValue()).isEqualTo(etcdPid);
    assertThat(Files.readString(config.paths().agentLog())).contains("adopting running etcd pid " + etcdPid);
  }

  @Test
  void secondAgentForTheSameRootIsRefused() throws Exception {
    Process first = startAgent();
    await().atMost(Duration.ofSeconds(60)).until(() -> status().get("agentPid") != null);

    Process second = startAgent();

    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isNotZero();
    assertThat(new String(second.getErrorStream().readAllBytes()))
        .contains("another slipway-agent (pid " + first.pid() + ") is running for root " + config.paths().root());
    assertThat(first.isAlive()).isTrue();
  }

  @Test
  void stopEndsTheAgentAndItsEtcd() throws Exception {
    Process agent = startAgent();
    long etcdPid = ((Number) awaitHealthyStatus().get("etcdPid")).longValue();

    int exit = run("stop", "--root", config.paths().root().toString());

    assertThat(exit).isZero();
    assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ProcessHandle.of(etcdPid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(status()).containsEntry("agentPid", null).containsEntry("etcdPid", null).containsEntry("etcdHealthy", false);
  }

  @Test
  void stopLeavingEtcdKeepsItServing() throws Exception {
    Process agent = startAgent();
    long etcdPid = ((Number) awaitHealthyStatus().get("etcdPid")).longValue();

    int exit = run("stop", "--root", config.paths().root().toString(), "--leave-etcd");

    assertThat(exit).isZero();
    assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Map<String, Object> status = status();
    assertThat(status.get("agentPid")).isNull();
    assertThat(((Number) status.get("etcdPid")).longValue()).isEqualTo(etcdPid);
    assertThat(status.get("etcdHealthy")).isEqualTo(true);
  }

  @Test
  void statusReportsTheDigestOfTheConfigFile() throws Exception {
    String expected = "sha256:" + dev.slipway.agent.snapshot.SnapshotMetadata.sha256(config.paths().configFile());

    assertThat(status()).containsEntry("configDigest", expected).containsEntry("agentPid", null);
  }

  @Test
  void restoreIsRefusedWhileTheAgentRuns() throws Exception {
    startAgent();
    await().atMost(Duration.ofSeconds(60)).until(() -> status().get("agentPid") != null);
    Path snapshot = base.resolve("some.db");
    Files.writeString(snapshot, "x");

    StringWriter err = new StringWriter();
    int exit = AgentCommand.commandLine().setErr(new PrintWriter(err)).execute("etcd-restore", "--root", config.paths().root().toString(),
        "--snapshot", snapshot.toString(), "--sha256", "00", "--name", "m1", "--initial-cluster", "m1=https://127.0.0.1:2380", "--token", "t");

    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("is running; stop it first");
  }

  private Process startAgent() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AgentCommand.class.getName(),
        "run", "--root", config.paths().root().toString())
        .redirectOutput(base.resolve("agent-" + agents.size() + ".out").toFile())
        .start();
    agents.add(p);
    return p;
  }

  private Map<String, Object> awaitHealthyStatus() {
    return await().atMost(Duration.ofSeconds(60)).until(this::status, s -> Boolean.TRUE.equals(s.get("etcdHealthy")));
  }

  private Map<String, Object> status() {
    StringWriter out = new StringWriter();
    CommandLine cmd = AgentCommand.commandLine().setOut(new PrintWriter(out));
    assertThat(cmd.execute("status", "--root", config.paths().root().toString())).isZero();
    return AgentFormats.JSON.readValue(out.toString(), new tools.jackson.core.type.TypeReference<Map<String, Object>>() {});
  }

  private static int run(String... args) {
    return AgentCommand.commandLine().setOut(new PrintWriter(new StringWriter())).execute(args);
  }
}
