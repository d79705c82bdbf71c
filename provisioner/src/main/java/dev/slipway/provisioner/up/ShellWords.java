package dev.slipway.provisioner.up;

/** Words for the POSIX sh command lines sent to hosts. */
public final class ShellWords {
  private ShellWords() {}

  /** Single quotes, each ' written as '\''. */
  public static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
