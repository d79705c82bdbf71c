package dev.slipway.provisioner.inventory;

import java.util.ArrayList;
import java.util.List;

/** A path into the inventory document, printed as {@code spec.hosts[2].roles[0]}. */
record FieldPath(List<Object> segments) {
  static final FieldPath ROOT = new FieldPath(List.of());

  FieldPath {
    segments = List.copyOf(segments);
  }

  FieldPath field(String name) {
    return with(name);
  }

  FieldPath index(int index) {
    return with(index);
  }

  FieldPath parent() {
    return segments.isEmpty() ? this : new FieldPath(segments.subList(0, segments.size() - 1));
  }

  private FieldPath with(Object segment) {
    var copy = new ArrayList<>(segments);
    copy.add(segment);
    return new FieldPath(copy);
  }

  @Override
  public String toString() {
    var text = new StringBuilder();
    for (var segment : segments) {
      switch (segment) {
        case Integer i -> text.append('[').append(i).append(']');
        case String s when s.matches("[A-Za-z0-9_-]+") -> text.append(text.isEmpty() ? "" : ".").append(s);
        default -> text.append("[\"").append(segment).append("\"]");
      }
    }
    return text.toString();
  }
}
