package dev.slipway.agent.snapshot;

/** A snapshot could not be taken, or a snapshot file is missing, damaged or not the one expected. */
public final class SnapshotException extends RuntimeException {

  public SnapshotException(String message) {
    super(message);
  }

  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
