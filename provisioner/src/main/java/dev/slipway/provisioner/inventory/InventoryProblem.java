package dev.slipway.provisioner.inventory;

/**
 * One mistake in an inventory file, located by line, column (both 1-based; 0 when unknown) and
 * field path such as {@code spec.hosts[2].roles[0]}.
 */
public record InventoryProblem(String file, int line, int column, String field, String message) {

  @Override
  public String toString() {
    var where = line > 0 ? file + ":" + line + ":" + column : file;
    return field.isEmpty() ? where + ": " + message : where + ": " + field + ": " + message;
  }
}
