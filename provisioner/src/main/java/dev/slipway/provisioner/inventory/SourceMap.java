package dev.slipway.provisioner.inventory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;

/**
 * Where each field of a YAML document starts. Jackson's trees keep no source positions, so the
 * document's tokens are walked once and the position of every key and value recorded by path.
 */
final class SourceMap {
  record Position(int line, int column) {}

  private final Map<FieldPath, Position> values = new HashMap<>();
  private final Map<FieldPath, Position> keys = new HashMap<>();
  private Duplicate duplicate;

  /** A key written twice in one mapping: YAML forbids it, and the second would silently win. */
  record Duplicate(FieldPath path, Position first, Position again) {}

  Optional<Duplicate> duplicate() {
    return Optional.ofNullable(duplicate);
  }

  /** Reads every token of the parser; syntax errors surface as Jackson's own exceptions. */
  static SourceMap of(JsonParser parser) {
    var map = new SourceMap();
    JsonToken token;
    while ((token = parser.nextToken()) != null) {
      var at = position(parser.currentTokenLocation());
      switch (token) {
        case PROPERTY_NAME -> {
          var path = pathOf(parser.streamReadContext());
          var first = map.keys.putIfAbsent(path, at);
          if (first != null && map.duplicate == null) {
            map.duplicate = new Duplicate(path, first, at);
          }
        }
        case END_OBJECT, END_ARRAY -> { }
        default -> map.values.putIfAbsent(pathOf(parser.streamReadContext()), at);
      }
    }
    return map;
  }

  /** The value's position, else that of its nearest enclosing field. */
  Position valueOf(FieldPath path) {
    for (var p = path; ; p = p.parent()) {
      var found = values.get(p);
      if (found != null) {
        return found;
      }
      if (p.segments().isEmpty()) {
        return new Position(1, 1);
      }
    }
  }

  /** The position of the field's key (for unknown fields), else of its value. */
  Position keyOf(FieldPath path) {
    var found = keys.get(path);
    return found != null ? found : valueOf(path);
  }

  private static Position position(TokenStreamLocation location) {
    return new Position(Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
  }

  /** The path of the current token: a just-opened object or array is named by its parent. */
  private static FieldPath pathOf(TokenStreamContext context) {
    var segments = new ArrayDeque<Object>();
    for (var c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject() && c.currentName() != null) {
        segments.addFirst(c.currentName());
      } else if (c.inArray() && c.hasCurrentIndex()) {
        segments.addFirst(c.getCurrentIndex());
      }
    }
    return new FieldPath(segments.stream().toList());
  }
}
