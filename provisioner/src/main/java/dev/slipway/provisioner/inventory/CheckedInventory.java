package dev.slipway.provisioner.inventory;

import java.util.List;

/** A valid inventory and the notes its validation left (e.g. "not highly available"). */
public record CheckedInventory(Inventory inventory, List<String> notes) {
  public CheckedInventory {
    notes = List.copyOf(notes);
  }
}
