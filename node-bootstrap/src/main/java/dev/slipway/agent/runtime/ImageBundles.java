package dev.slipway.agent.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The node's image bundle folder ({@code <root>/opt/slipway/images}): OCI tarballs made by images/build. */
public final class ImageBundles {

  private ImageBundles() {}

  /** Imports every {@code *.tar} of the folder, in name order; a missing folder imports nothing. Returns the image references. */
  public static List<String> importAll(ContainerRuntime runtime, Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tar")).sorted()
          .flatMap(tar -> runtime.importImages(tar).stream()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list image bundles in " + folder, e);
    }
  }
}
