package dev.slipway.agent.config;

/** The agent configuration is missing, unreadable or says something impossible. */
public final class InvalidAgentConfigException extends RuntimeException {

  public InvalidAgentConfigException(String message) {
    super(message);
  }

  public InvalidAgentConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
