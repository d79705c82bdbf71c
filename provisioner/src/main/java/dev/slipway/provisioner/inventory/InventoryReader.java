package dev.slipway.provisioner.inventory;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads, binds and validates an inventory file. The one door into this package: every mistake
 * comes back as an {@link InventoryException} naming file, line, column and field.
 */
public final class InventoryReader {
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
      .build();

  private InventoryReader() {}

  /** Reads {@code file}; the path is printed in messages as given. */
  public static CheckedInventory read(Path file) {
    var shown = file.toString();
    var text = readText(file, shown);
    var sourceMap = mapSource(text, shown);
    var problems = new Problems(shown, sourceMap);
    sourceMap.duplicate().ifPresent(d -> {
      throw problems.fatalAtDuplicate(d);
    });
    var tree = parseTree(text, problems);
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw problems.fatal(FieldPath.ROOT,
          "the file is empty; expected an inventory with apiVersion: slipway.dev/v1 and kind: Cluster");
    }
    if (!tree.isObject()) {
      throw problems.fatal(FieldPath.ROOT,
          "expected a mapping with apiVersion, kind, metadata and spec, found " + describe(tree));
    }
    var document = bind(tree, problems);
    return new InventoryValidator(file.toAbsolutePath().normalize(), problems).validate(document);
  }

  private static String readText(Path file, String shown) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw unreadable(shown, "no such file");
    } catch (AccessDeniedException e) {
      throw unreadable(shown, "permission denied");
    } catch (MalformedInputException e) {
      throw unreadable(shown, "not UTF-8 text");
    } catch (IOException e) {
      var reason = Files.isDirectory(file) ? "it is a directory" : String.valueOf(e.getMessage());
      throw unreadable(shown, reason);
    }
  }

  private static InventoryException unreadable(String shown, String reason) {
    return new InventoryException(List.of(new InventoryProblem(shown, 0, 0, "", "cannot read the inventory: " + reason)));
  }

  private static SourceMap mapSource(String text, String shown) {
    try (var parser = YAML.createParser(text)) {
      return SourceMap.of(parser);
    } catch (StreamReadException e) {
      throw new InventoryException(List.of(syntaxProblem(e, shown)));
    }
  }

  /** SnakeYAML knows where the problem is and what it was parsing; say both on one line. */
  private static InventoryProblem syntaxProblem(StreamReadException e, String shown) {
    if (e.getCause() instanceof MarkedYamlEngineException marked && marked.getProblemMark().isPresent()) {
      var at = marked.getProblemMark().get();
      var context = marked.getContext() == null || marked.getContextMark().isEmpty() ? ""
          : " (" + marked.getContext() + " started at line " + (marked.getContextMark().get().getLine() + 1)
              + ", column " + (marked.getContextMark().get().getColumn() + 1) + ")";
      return new InventoryProblem(shown, at.getLine() + 1, at.getColumn() + 1, "",
          "YAML syntax error: " + marked.getProblem() + context);
    }
    var at = e.getLocation();
    return new InventoryProblem(shown, at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(), "",
        "YAML syntax error: " + e.getOriginalMessage().lines().findFirst().orElse("unreadable YAML"));
  }

  private static JsonNode parseTree(String text, Problems problems) {
    try {
      return YAML.readTree(text);
    } catch (JacksonException e) {
      var path = pathOf(e);
      throw problems.fatal(path, e.getOriginalMessage().lines().findFirst().orElse("unreadable YAML"));
    }
  }

  private static InventoryDocument bind(JsonNode tree, Problems problems) {
    try {
      return YAML.treeToValue(tree, InventoryDocument.class);
    } catch (UnrecognizedPropertyException e) {
      var path = pathOf(e);
      var known = e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
      var message = "unknown field \"" + e.getPropertyName() + "\"" + NearestWord.hint(e.getPropertyName(), known)
          + "; known fields here: " + String.join(", ", known);
      throw problems.fatalAtKey(path, message);
    } catch (MismatchedInputException e) {
      var path = pathOf(e);
      var found = e instanceof InvalidFormatException f ? "\"" + f.getValue() + "\"" : describe(at(tree, path));
      throw problems.fatal(path, "wrong type: expected " + expected(e.getTargetType()) + ", found " + found);
    } catch (JacksonException e) {
      throw problems.fatal(pathOf(e), e.getOriginalMessage().lines().findFirst().orElse("cannot bind"));
    }
  }

  private static FieldPath pathOf(JacksonException e) {
    var path = FieldPath.ROOT;
    for (var reference : e.getPath()) {
      path = reference.getPropertyName() != null ? path.field(reference.getPropertyName()) : path.index(reference.getIndex());
    }
    return path;
  }

  private static JsonNode at(JsonNode tree, FieldPath path) {
    var node = tree;
    for (var segment : path.segments()) {
      node = segment instanceof Integer i ? node.path(i) : node.path((String) segment);
    }
    return node;
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping";
    }
    if (type == Integer.class || type == int.class) {
      return "a whole number";
    }
    return type == String.class ? "text" : type.getSimpleName().toLowerCase(Locale.ROOT);
  }

  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isNull()) {
      return "null";
    }
    return node.isString() ? "\"" + node.asString() + "\"" : node.toString();
  }

  /** The problems found so far, each located through the source map. */
  static final class Problems {
    private final String file;
    private final SourceMap sourceMap;
    private final List<InventoryProblem> found = new ArrayList<>();

    Problems(String file, SourceMap sourceMap) {
      this.file = file;
      this.sourceMap = sourceMap;
    }

    void add(FieldPath path, String message) {
      var at = sourceMap.valueOf(path);
      found.add(new InventoryProblem(file, at.line(), at.column(), path.toString(), message));
    }

    InventoryException fatal(FieldPath path, String message) {
      add(path, message);
      return new InventoryException(found);
    }

    InventoryException fatalAtKey(FieldPath path, String message) {
      var at = sourceMap.keyOf(path);
      found.add(new InventoryProblem(file, at.line(), at.column(), path.toString(), message));
      return new InventoryException(found);
    }

    InventoryException fatalAtDuplicate(SourceMap.Duplicate duplicate) {
      found.add(new InventoryProblem(file, duplicate.again().line(), duplicate.again().column(), duplicate.path().toString(),
          "written twice in the same mapping (first at line " + duplicate.first().line() + "); keep one"));
      return new InventoryException(found);
    }

    boolean any() {
      return !found.isEmpty();
    }

    InventoryException all() {
      return new InventoryException(found);
    }

    @Override
    public String toString() {
      return found.stream().map(InventoryProblem::toString).collect(Collectors.joining("\n"));
    }
  }
}
