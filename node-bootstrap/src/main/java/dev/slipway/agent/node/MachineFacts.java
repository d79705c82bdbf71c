package dev.slipway.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What the node reports about its machine: CPUs, memory, disk under the root, architecture, OS and
 * kernel, boot and machine ids. Read from {@code /proc} and {@code /etc} where they exist.
 */
public record MachineFacts(int cpus, long memoryBytes, long ephemeralStorageBytes, String architecture, String operatingSystem,
    String osImage, String kernelVersion, String machineId, String bootId) {

  public static MachineFacts of(Path root) {
    long disk;
    try {
      disk = Files.getFileStore(Files.exists(root) ? root : Path.of("/")).getTotalSpace();
    } catch (IOException e) {
      disk = 0;
    }
    return new MachineFacts(Runtime.getRuntime().availableProcessors(), memory(), disk, architecture(System.getProperty("os.arch")),
        System.getProperty("os.name").toLowerCase(Locale.ROOT), readOsImage(), read("/proc/sys/kernel/osrelease").orElse(System.getProperty("os.version")),
        read("/etc/machine-id").orElse(""), read("/proc/sys/kernel/random/boot_id").orElse(""));
  }

  /** Kubernetes' (Go's) architecture names. */
  static String architecture(String javaArch) {
    return switch (javaArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "arm" -> "arm";
      case "ppc64le" -> "ppc64le";
      case "s390x" -> "s390x";
      default -> javaArch;
    };
  }

  private static long memory() {
    return read("/proc/meminfo").flatMap(text -> text.lines().filter(l -> l.startsWith("MemTotal:")).findFirst())
        .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
        .orElse(Runtime.getRuntime().maxMemory());
  }

  private static String readOsImage() {
    return read("/etc/os-release").flatMap(text -> text.lines().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst())
        .map(line -> line.substring("PRETTY_NAME=".length()).replace("\"", ""))
        .orElse(System.getProperty("os.name"));
  }

  private static Optional<String> read(String file) {
    try {
      return Optional.of(Files.readString(Path.of(file)).strip());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
