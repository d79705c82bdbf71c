package dev.slipway.provisioner.up;

import dev.slipway.provisioner.inventory.Host;
import dev.slipway.provisioner.inventory.RuntimeKind;
import dev.slipway.provisioner.phase.ClusterContext;
import dev.slipway.provisioner.phase.MayBeSkipped;
import dev.slipway.provisioner.phase.PerHostPhase;
import dev.slipway.provisioner.phase.PhaseFailed;
import dev.slipway.provisioner.phase.Prepares;
import dev.slipway.provisioner.transport.FileAttributes;
import dev.slipway.provisioner.up.FileSync.Content;
import dev.slipway.provisioner.up.FileSync.ShippedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Ships the image bundle (the OCI tarballs {@code images/build} makes: the pause and busybox images)
 * to {@code <root>/opt/slipway/images/} on every node, where the agent imports them into
 * containerd. Builds it on this machine first when it is missing. The process runtime runs host
 * programs and needs no images, so the phase is skipped there.
 */
final class ShipImages extends PerHostPhase<List<String>> implements Prepares, MayBeSkipped {
  static final String IMAGES_DIR = "/opt/slipway/images/";
  private static final long BUILD_TIMEOUT_SECONDS = 300;
  private final UpRun run;
  private List<Content.LocalFile> bundles = List.of();

  ShipImages(UpRun run) {
    this.run = run;
  }

  @Override
  public String title() {
    return "Ship the image bundle";
  }

  @Override
  public boolean shouldRun(ClusterContext context) {
    return context.inventory().runtime() == RuntimeKind.CONTAINERD && !hosts(context).isEmpty();
  }

  @Override
  public void prepare(ClusterContext context) throws Exception {
    if (context.inventory().runtime() != RuntimeKind.CONTAINERD) {
      return;
    }
    var home = Path.of(System.getProperty("slipway.home", ".")).toAbsolutePath().normalize();
    var out = home.resolve("images/out");
    if (tarballs(out).isEmpty()) {
      build(home.resolve("images/build"), out, context);
    }
    bundles = tarballs(out).stream().map(Content.LocalFile::of).toList();
    if (bundles.isEmpty()) {
      throw new PhaseFailed("no image bundle in " + out + " after running images/build");
    }
  }

  @Override
  protected List<Host> hosts(ClusterContext context) {
    return context.inventory().hosts().stream().filter(NodeSections::runsKubelet).toList();
  }

  @Override
  protected List<String> runOn(Host host, ClusterContext context) {
    var files = bundles.stream()
        .map(b -> new ShippedFile(IMAGES_DIR + b.path().getFileName(), b, FileAttributes.publicFile())).toList();
    var written = FileSync.sync(context.connection(host), files);
    written.forEach(path -> run.changed(host, "wrote " + path));
    run.shipped(host, files.stream().collect(Collectors.toMap(ShippedFile::hostPath, ShippedFile::sha256)));
    return written;
  }

  private static List<Path> tarballs(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tar")).sorted().toList();
    }
  }

  private static void build(Path script, Path out, ClusterContext context) throws IOException, InterruptedException {
    if (!Files.isExecutable(script)) {
      throw new PhaseFailed("no image bundle in " + out + " and no " + script + " to build it");
    }
    context.progress().note("building the image bundle with " + script);
    var process = new ProcessBuilder(script.toString(), out.toString()).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new PhaseFailed(script + " did not finish within " + BUILD_TIMEOUT_SECONDS + "s");
    }
    if (process.exitValue() != 0) {
      throw new PhaseFailed(script + " failed (exit " + process.exitValue() + "): " + output.strip());
    }
  }
}
