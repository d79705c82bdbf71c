package dev.slipway.provisioner.inventory;

import java.util.List;
import java.util.stream.Collectors;

/** The inventory file cannot be used; each problem names file, line, column and field. */
public final class InventoryException extends RuntimeException {
  private final transient List<InventoryProblem> problems;

  InventoryException(List<InventoryProblem> problems) {
    super(problems.stream().map(InventoryProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<InventoryProblem> problems() {
    return problems;
  }
}
