package dev.slipway.agent.runtime;

/** A runtime call that failed; the message names the call, the object and the runtime's own words. */
public class ContainerRuntimeException extends RuntimeException {

  public ContainerRuntimeException(String message) {
    super(message);
  }

  public ContainerRuntimeException(String message, Throwable cause) {
    super(message, cause);
  }
}
