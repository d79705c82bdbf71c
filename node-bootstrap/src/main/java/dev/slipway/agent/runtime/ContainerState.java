package dev.slipway.agent.runtime;

import java.time.Instant;

/** Where a container is in its life; only an exited container has an exit code. */
public sealed interface ContainerState {

  record Created() implements ContainerState {}

  record Running(Instant startedAt) implements ContainerState {}

  /** {@code reason} is the runtime's word for how it ended ({@code Completed}, {@code Error}, {@code OOMKilled}, ...). */
  record Exited(Instant startedAt, Instant finishedAt, int exitCode, String reason) implements ContainerState {}

  /** The runtime cannot tell (e.g. a process that was adopted and then vanished without a trace). */
  record Unknown(String reason) implements ContainerState {}
}
