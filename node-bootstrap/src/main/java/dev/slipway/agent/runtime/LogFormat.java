package dev.slipway.agent.runtime;

/** How a runtime writes a container's log file. */
public enum LogFormat {
  /** The container's output as it came, stdout and stderr interleaved. */
  PLAIN,
  /** The CRI format: each line {@code <RFC 3339 time> <stdout|stderr> <F|P> <text>}, P marking a line cut before its newline. */
  CRI
}
