package dev.slipway.e2e.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The test manifests under {@code src/test/resources/manifests/}, with their namespace filled in. */
public final class Manifests {

  private Manifests() {
  }

  /** {@code manifests/NAME}, with every {@code NAMESPACE} replaced by {@code namespace}. */
  public static String read(String name, String namespace) {
    try (InputStream in = Manifests.class.getResourceAsStream("/manifests/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test manifest manifests/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("NAMESPACE", namespace);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifests/" + name, e);
    }
  }
}
