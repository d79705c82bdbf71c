package dev.slipway.agent.runtime.process;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An image the process runtime agrees to "run": its entrypoint and default arguments, which name
 * programs installed on the host. Anything else is refused, since there is no image to unpack.
 */
public record HostImage(List<String> entrypoint, List<String> cmd) {

  public HostImage {
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
  }

  /** Slipway's own two images, mapped to the host's busybox and shell. */
  public static final Map<String, HostImage> DEFAULTS = Map.of(
      "slipway.dev/pause:1", new HostImage(List.of("/bin/sh", "-c", "trap exit TERM; while :; do sleep 3600 & wait; done"), List.of()),
      "slipway.dev/busybox:1", new HostImage(List.of(), List.of("sh")));

  /** Kubernetes' rule: command replaces the entrypoint, args replace the default arguments. */
  public List<String> argv(List<String> command, List<String> args) {
    List<String> head = command.isEmpty() ? entrypoint : command;
    List<String> tail = command.isEmpty() && args.isEmpty() ? cmd : args;
    return Stream.concat(head.stream(), tail.stream()).toList();
  }
}
