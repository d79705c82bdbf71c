package dev.slipway.provisioner.preflight;

/**
 * One preflight check's verdict on one host.
 *
 * @param check  the column name, e.g. "CLOCK"
 * @param passed whether the host is fit in this respect
 * @param detail what was found, e.g. "skew 0.01s"
 * @param remedy what to do when it failed; empty when it passed
 */
public record HostCheck(String check, boolean passed, String detail, String remedy) {
  static HostCheck ok(String check, String detail) {
    return new HostCheck(check, true, detail, "");
  }

  static HostCheck fail(String check, String detail, String remedy) {
    return new HostCheck(check, false, detail, remedy);
  }
}
